"""The jobs list's search and due windows, at their boundaries; the digest's selector per practice."""

import datetime as dt

import pytest

from jobs.models import Job
from jobs.selectors import digest_for_assignee, job_list
from tests.factories import CompanyFactory, JobFactory, MembershipFactory

TODAY = dt.date(2026, 11, 25)
OFFSETS = {"yesterday": -1, "today": 0, "+7": 7, "+8": 8, "+30": 30, "+31": 31, "+90": 90, "+91": 91}


@pytest.fixture
def by_offset(practice):
    client = CompanyFactory(practice=practice)
    return {
        label: JobFactory(client=client, deadline=TODAY + dt.timedelta(days=days))
        for label, days in OFFSETS.items()
    }


def _labels(jobs, found):
    found = set(found)
    return {label for label, job in jobs.items() if job in found}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("7", {"today", "+7"}),
        ("30", {"today", "+7", "+8", "+30"}),
        ("90", {"today", "+7", "+8", "+30", "+31", "+90"}),
        ("overdue", {"yesterday"}),
        ("", set(OFFSETS)),
        ("nonsense", set(OFFSETS)),
    ],
)
def test_due_windows_include_today_and_their_last_day(practice, by_offset, due, expected):
    assert _labels(by_offset, job_list(practice=practice, due=due, today=TODAY)) == expected


@pytest.mark.django_db
def test_overdue_means_open_and_before_today(practice, by_offset):
    client = by_offset["yesterday"].client
    done = JobFactory(client=client, deadline=TODAY - dt.timedelta(days=1), status=Job.Status.COMPLETED)
    waiting = JobFactory(
        client=client, deadline=TODAY - dt.timedelta(days=400), status=Job.Status.AWAITING_CLIENT
    )
    found = list(job_list(practice=practice, due="overdue", today=TODAY))
    assert waiting in found and by_offset["yesterday"] in found
    assert done not in found and by_offset["today"] not in found


@pytest.mark.django_db
def test_due_windows_keep_to_the_practice(practice, other_practice, by_offset):
    JobFactory(client=CompanyFactory(practice=other_practice), deadline=TODAY)
    assert _labels(by_offset, job_list(practice=practice, due="7", today=TODAY)) == {"today", "+7"}
    assert job_list(practice=practice, due="7", today=TODAY).count() == 2


@pytest.mark.django_db
def test_search_matches_part_of_the_client_name_in_any_case(practice, other_practice):
    acme = JobFactory(client=CompanyFactory(practice=practice, name="Acme Widgets Ltd"))
    JobFactory(client=CompanyFactory(practice=practice, name="Bramble Bakery Ltd"))
    JobFactory(client=CompanyFactory(practice=other_practice, name="Acme Widgets Ltd"))
    assert list(job_list(practice=practice, query="widget")) == [acme]
    assert list(job_list(practice=practice, query="  ACME ")) == [acme]
    assert list(job_list(practice=practice, query="Nobody")) == []
    assert job_list(practice=practice, query="").count() == 2
    assert job_list(practice=practice, query="   ").count() == 2


@pytest.mark.django_db
def test_search_and_due_window_together(practice):
    acme = CompanyFactory(practice=practice, name="Acme Widgets Ltd")
    soon = JobFactory(client=acme, deadline=TODAY + dt.timedelta(days=7))
    JobFactory(client=acme, deadline=TODAY + dt.timedelta(days=8))
    JobFactory(client=CompanyFactory(practice=practice, name="Other Ltd"), deadline=TODAY)
    assert list(job_list(practice=practice, query="acme", due="7", today=TODAY)) == [soon]


@pytest.mark.django_db
def test_jobs_list_page_searches_by_client(owner_client, practice, htmx):
    acme = JobFactory(client=CompanyFactory(practice=practice, name="Acme Widgets Ltd"))
    other = JobFactory(client=CompanyFactory(practice=practice, name="Bramble Bakery Ltd"))
    body = owner_client.get("/jobs/", {"q": "acme"}, **htmx).content.decode()
    assert acme.reference in body and other.reference not in body


@pytest.mark.django_db
def test_digest_selector_keeps_practices_apart(practice, other_practice):
    alice = MembershipFactory(practice=practice).user
    rival = MembershipFactory(practice=other_practice).user
    ours = JobFactory(client=CompanyFactory(practice=practice), assignee=alice, deadline=TODAY)
    theirs = JobFactory(client=CompanyFactory(practice=other_practice), assignee=rival, deadline=TODAY)
    # A job of the other practice assigned (wrongly) to our user must not reach our digest either.
    stray = JobFactory(client=CompanyFactory(practice=other_practice), assignee=alice, deadline=TODAY)
    assert digest_for_assignee(practice=practice, today=TODAY) == {alice.pk: [ours]}
    assert digest_for_assignee(practice=other_practice, today=TODAY) == {
        rival.pk: [theirs],
        alice.pk: [stray],
    }


@pytest.mark.django_db
def test_digest_selector_takes_open_assigned_jobs_overdue_or_due_within_the_week(practice):
    alice = MembershipFactory(practice=practice).user
    client = CompanyFactory(practice=practice)
    overdue = JobFactory(client=client, assignee=alice, deadline=TODAY - dt.timedelta(days=30))
    last_day = JobFactory(client=client, assignee=alice, deadline=TODAY + dt.timedelta(days=7))
    JobFactory(client=client, assignee=alice, deadline=TODAY + dt.timedelta(days=8))
    JobFactory(client=client, assignee=alice, deadline=TODAY, status=Job.Status.COMPLETED)
    JobFactory(client=client, assignee=None, deadline=TODAY)
    assert digest_for_assignee(practice=practice, today=TODAY) == {alice.pk: [overdue, last_day]}
