import datetime as dt

import pytest
from django.utils import timezone

from jobs.models import Job
from tests.factories import CompanyFactory, JobFactory


@pytest.mark.django_db
def test_create_job_from_client_page(owner_client, practice, owner):
    client = CompanyFactory(practice=practice)
    deadline = timezone.localdate() + dt.timedelta(days=7)
    response = owner_client.post(
        f"/jobs/client/{client.pk}/new/",
        {"job_type": "vat_return", "deadline": deadline.isoformat(), "status": "not_started",
         "assignee": owner.pk, "fee": "250.00"},
    )  # fmt: skip
    job = Job.objects.get(client=client)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.reference == "JOB-000001" and job.assignee == owner


@pytest.mark.django_db
def test_create_job_from_jobs_list_needs_client_and_deadline(owner_client, practice, htmx):
    response = owner_client.post("/jobs/new/", {"job_type": "vat_return", "status": "not_started"}, **htmx)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="job-form"')
    assert body.count("This field is required") == 2
    assert 'value="vat_return" selected' in body
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_cannot_create_job_for_another_practices_client(owner_client, other_practice):
    stranger = CompanyFactory(practice=other_practice)
    response = owner_client.post(
        "/jobs/new/",
        {"client": stranger.pk, "job_type": "vat_return", "deadline": "2026-12-01", "status": "not_started"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_jobs_list_highlights_overdue_and_filters_with_htmx(owner_client, practice, htmx):
    client = CompanyFactory(practice=practice, name="Acme Widgets Ltd")
    late = JobFactory(client=client, deadline=timezone.localdate() - dt.timedelta(days=2))
    JobFactory(client=client, deadline=timezone.localdate() + dt.timedelta(days=40))
    body = owner_client.get("/jobs/").content.decode()
    assert "row-overdue" in body and "Overdue" in body
    response = owner_client.get("/jobs/?due=overdue", **htmx)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="job-table">')
    assert late.reference in body and body.count("JOB-") == 1


@pytest.mark.django_db
def test_jobs_list_has_no_per_row_queries(owner_client, practice, django_assert_max_num_queries):
    for client in CompanyFactory.create_batch(10, practice=practice):
        JobFactory.create_batch(6, client=client)
    with django_assert_max_num_queries(12):
        response = owner_client.get("/jobs/")
    assert len(response.context["page"].object_list) == 50


@pytest.mark.django_db
def test_job_page_has_tabs_and_edit(owner_client, practice):
    job = JobFactory(client=CompanyFactory(practice=practice))
    body = owner_client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'aria-label="Job"' in body and ">Overview</a>" in body
    response = owner_client.post(
        f"/jobs/{job.pk}/edit/",
        {"job_type": job.job_type, "deadline": job.deadline.isoformat(), "status": "completed"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "completed" and job.completed_at


@pytest.mark.django_db
def test_deadlines_widget(owner_client, practice):
    client = CompanyFactory(practice=practice, name="Acme Widgets Ltd")
    JobFactory(client=client, deadline=timezone.localdate() + dt.timedelta(days=7), job_type="vat_return")
    JobFactory(client=client, deadline=timezone.localdate() - dt.timedelta(days=1), job_type="payroll")
    body = owner_client.get("/jobs/widgets/deadlines/").content.decode()
    assert "<html" not in body
    assert "Acme Widgets Ltd — VAT return" in body
    assert "Acme Widgets Ltd — Payroll" in body


@pytest.mark.django_db
def test_client_jobs_tab(owner_client, practice):
    job = JobFactory(client=CompanyFactory(practice=practice))
    body = owner_client.get(f"/jobs/client/{job.client.pk}/").content.decode()
    assert job.reference in body


@pytest.mark.django_db
def test_htmx_job_save_redirects_the_whole_page(owner_client, practice, htmx):
    client = CompanyFactory(practice=practice)
    response = owner_client.post(
        f"/jobs/client/{client.pk}/new/",
        {"job_type": "payroll", "deadline": "2026-12-31", "status": "not_started"},
        **htmx,
    )
    job = Job.objects.get(client=client)
    assert response["HX-Redirect"] == f"/jobs/{job.pk}/"
