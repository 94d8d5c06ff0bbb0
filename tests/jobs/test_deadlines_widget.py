"""The dashboard's Deadlines widget: what it shows, and that it costs the same at any size."""

import datetime as dt

import pytest
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from jobs.templatetags.job_dates import cached_date
from tests.factories import CompanyFactory, JobFactory
from tests.query_plans import plan_without_scans


@pytest.mark.django_db
def test_rows_show_client_title_and_date(owner_client, practice):
    today = timezone.localdate()
    client = CompanyFactory(practice=practice, name="Harbour Lights Ltd")
    late = JobFactory(client=client, deadline=today - dt.timedelta(days=3), job_type="payroll")
    soon = JobFactory(client=client, deadline=today + dt.timedelta(days=4), title="Year-end pack")
    body = owner_client.get("/jobs/widgets/deadlines/").content.decode()
    assert f'<a href="/jobs/{late.pk}/">Harbour Lights Ltd — Payroll</a>' in body
    assert f'<span class="due">due {date_filter(late.deadline, "j M")}</span>' in body
    assert f'<a href="/jobs/{soon.pk}/">Harbour Lights Ltd — Year-end pack</a>' in body
    assert f'<span class="due">{date_filter(soon.deadline, "j M")}</span>' in body


@pytest.mark.django_db
def test_queries_do_not_grow_with_jobs(owner_client, practice):
    from django.db import connection

    today = timezone.localdate()
    client = CompanyFactory(practice=practice)
    JobFactory(client=client, deadline=today)
    owner_client.get("/jobs/widgets/deadlines/")
    with CaptureQueriesContext(connection) as few:
        owner_client.get("/jobs/widgets/deadlines/")
    for n in range(60):
        JobFactory(client=CompanyFactory(practice=practice), deadline=today + dt.timedelta(days=n % 40 - 10))
    with CaptureQueriesContext(connection) as many:
        body = owner_client.get("/jobs/widgets/deadlines/").content.decode()
    assert len(many) == len(few)
    assert body.count("<li") == 61  # 20 overdue, 41 due within 30 days (today included)
    # A partial shows no banners: the reconnect banner's query is not made for it.
    assert not any("integrations_xeroconnection" in q["sql"] for q in many.captured_queries)


def test_cached_date_is_the_date_filter():
    day = dt.date(2026, 11, 5)
    assert cached_date(day, "j M") == date_filter(day, "j M") == "5 Nov"
    assert cached_date(day, "D j M Y") == date_filter(day, "D j M Y")
    with translation.override("fr"):  # remembered per language
        assert cached_date(day, "j M") == date_filter(day, "j M")
    moment = timezone.make_aware(dt.datetime(2026, 11, 5, 23, 30))
    assert cached_date(moment, "j M H:i") == date_filter(moment, "j M H:i")
    assert cached_date(None, "j M") == date_filter(None, "j M") == ""


@pytest.mark.django_db
def test_counts_are_exact_beyond_the_rows_shown(owner_client, practice):
    """The widget lists the first 50 of each kind; its counts are every job, with a link to them all."""
    today = timezone.localdate()
    client = CompanyFactory(practice=practice)
    for n in range(53):
        JobFactory(client=client, deadline=today - dt.timedelta(days=1 + n % 20))
    for n in range(3):
        JobFactory(client=client, deadline=today + dt.timedelta(days=n))
    JobFactory(client=client, deadline=today - dt.timedelta(days=2), status="completed")  # not open
    body = owner_client.get("/jobs/widgets/deadlines/", HTTP_HX_REQUEST="true").content.decode()
    assert 'Overdue <span class="count count-danger">53</span>' in body
    assert body.count('<li class="overdue">') == 50
    assert 'href="/jobs/?status=open&amp;due=overdue">See all 53 overdue jobs ›</a>' in body
    assert 'Due in the next 30 days <span class="count">3</span>' in body
    assert "See all 3 jobs" not in body  # all three are shown
    listed = owner_client.get("/jobs/?status=open&due=overdue")
    assert listed.status_code == 200 and listed.context["page"].paginator.count == 53


@pytest.mark.django_db
def test_counts_at_the_edges_of_the_window(owner_client, practice):
    """Overdue is before today; due soon is today up to 30 days on; only open jobs count."""
    today = timezone.localdate()
    client = CompanyFactory(practice=practice)
    JobFactory(client=client, deadline=today - dt.timedelta(days=400))  # long overdue: still counted
    JobFactory(client=client, deadline=today - dt.timedelta(days=1), status="in_progress")
    JobFactory(client=client, deadline=today, status="awaiting_client")
    JobFactory(client=client, deadline=today + dt.timedelta(days=30))
    JobFactory(client=client, deadline=today + dt.timedelta(days=31))  # beyond the window
    JobFactory(client=client, deadline=today + dt.timedelta(days=1), status="completed")  # not open
    JobFactory(client=CompanyFactory(), deadline=today - dt.timedelta(days=1))  # another practice
    body = owner_client.get("/jobs/widgets/deadlines/", HTTP_HX_REQUEST="true").content.decode()
    assert 'Overdue <span class="count count-danger">2</span>' in body
    assert 'Due in the next 30 days <span class="count">2</span>' in body


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Query plans need PostgreSQL; set DATABASE_URL (CI does)"
)
def test_counts_read_the_status_deadline_index_alone(owner_client, practice):
    """The counts scan the (practice, status, deadline) index only, never the jobs themselves:
    at 10,000 clients a count that read the table (e.g. COUNT(id)) cost 15 ms of the widget.
    Fails if the index goes or the count asks for a column the index does not hold."""
    today = timezone.localdate()
    client = CompanyFactory(practice=practice)
    JobFactory(client=client, deadline=today - dt.timedelta(days=3))
    # Most jobs done, as in a live practice, and planner statistics that know it.
    JobFactory.create_batch(150, client=client, deadline=today - dt.timedelta(days=1), status="completed")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
    with CaptureQueriesContext(connection) as captured:
        owner_client.get("/jobs/widgets/deadlines/", HTTP_HX_REQUEST="true")
    (count_sql,) = [q["sql"] for q in captured.captured_queries if "FILTER (WHERE" in q["sql"]]
    plan = plan_without_scans(count_sql)
    assert "Index Only Scan" in plan, plan
    assert "deadline <=" in plan  # bounded by the window's end, not every open job of the practice
