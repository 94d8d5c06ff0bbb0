"""Job references (JOB-000123) stay unique when many jobs are created at once."""

import threading

import pytest
from django.db import connection, connections

from jobs.models import Job
from jobs.services import job_create
from tests.factories import CompanyFactory

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_job_creations_get_unique_references(practice):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks (select_for_update) need PostgreSQL; set DATABASE_URL (CI does)")
    client = CompanyFactory(practice=practice)
    job_create(
        client=client, job_type=Job.JobType.VAT_RETURN, deadline="2026-12-01"
    )  # the sequence row exists
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            job_create(client=client, job_type=Job.JobType.VAT_RETURN, deadline="2026-12-01")
        except Exception as exc:  # collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    numbers = sorted(Job.objects.filter(practice=practice).values_list("number", flat=True))
    assert numbers == list(range(1, WORKERS + 2))
    assert Job.objects.get(practice=practice, number=WORKERS + 1).reference == f"JOB-{WORKERS + 1:06d}"


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_jobs_of_a_practice_get_unique_references(practice):
    """The practice's sequence row does not exist yet: creating it concurrently is harmless too."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks (select_for_update) need PostgreSQL; set DATABASE_URL (CI does)")
    client = CompanyFactory(practice=practice)
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            job_create(client=client, job_type=Job.JobType.PAYROLL, deadline="2026-12-01")
        except Exception as exc:  # collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    numbers = sorted(Job.objects.filter(practice=practice).values_list("number", flat=True))
    assert numbers == list(range(1, WORKERS + 1))
