"""The dashboard's Deadlines widget: what it shows, and that it costs the same at any size."""

import datetime as dt

import pytest
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from jobs.templatetags.job_dates import cached_date
from tests.factories import CompanyFactory, JobFactory


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
