"""A deterministic large practice for the benchmark (built once, reused on later runs)."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from core.models import Membership, Practice
from jobs.models import Job, JobSequence

BENCH_PRACTICE = "Benchmark Practice"
BENCH_EMAIL = "bench@example.com"
WORDS = ["Acme", "Widgets", "Northern", "Harbour", "Copper", "Granite", "Willow", "Kestrel", "Orchard",
         "Pennine", "Thistle", "Lantern", "Meadow", "Foxglove", "Ironbridge", "Juniper", "Stone", "River"]  # fmt: skip
TRADES = ["Plumbing", "Logistics", "Bakery", "Consulting", "Dental", "Builders", "Design", "Software", "Care"]


def build(*, clients: int, jobs_per_client: int) -> dict:
    practice, _ = Practice.objects.get_or_create(name=BENCH_PRACTICE)
    User = get_user_model()
    user = User.objects.filter(username=BENCH_EMAIL).first()
    if user is None:
        user = User.objects.create_user(BENCH_EMAIL, BENCH_EMAIL, "bench-password-123")
        Membership.objects.create(user=user, practice=practice, role=Membership.Role.OWNER)
    existing = Client.objects.filter(practice=practice).count()
    if existing < clients:
        _fill(practice, user, existing, clients, jobs_per_client)
    first_client = Client.objects.filter(practice=practice).order_by("pk").first()
    return {
        "user": user,
        "clients": Client.objects.filter(practice=practice).count(),
        "jobs": Job.objects.filter(practice=practice).count(),
        "client_id": first_client.pk,
        "job_id": Job.objects.filter(practice=practice).order_by("pk").first().pk,
    }


@transaction.atomic
def _fill(practice, user, start: int, end: int, jobs_per_client: int) -> None:
    rng = random.Random(start)
    today = timezone.localdate()
    rows = []
    for n in range(start, end):
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} {n} Ltd"
        rows.append(Client(
            practice=practice, kind=Client.Kind.COMPANY, name=name, company_type=Client.CompanyType.LIMITED,
            company_number=f"{n:08d}", vat_number=f"GB{100000000 + n}", email=f"accounts{n}@bench.example",
        ))  # fmt: skip
    created = Client.objects.bulk_create(rows, batch_size=1000)
    sequence, _ = JobSequence.objects.get_or_create(practice=practice)
    number = sequence.last_number
    jobs = []
    for client in created:
        for _ in range(jobs_per_client):
            number += 1
            jobs.append(Job(
                practice=practice, client=client, number=number, job_type=rng.choice(Job.JobType.values),
                deadline=today + dt.timedelta(days=rng.randint(-60, 300)),
                status=rng.choice(Job.Status.values), assignee=user, fee=Decimal("250.00"),
            ))  # fmt: skip
    Job.objects.bulk_create(jobs, batch_size=2000)
    sequence.last_number = number
    sequence.save(update_fields=["last_number"])
