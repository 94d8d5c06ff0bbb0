"""Hostile input to every job form gives a page, never a 500 (SQLite here, PostgreSQL in CI)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.models import Job
from tests.factories import CompanyFactory, JobFactory, MembershipFactory
from tests.hostile_input import HOSTILE, assert_no_server_error, draw_form

JOB = {
    "job_type": "vat_return", "title": "Q4 VAT", "period_end": "2026-09-30", "deadline": "2026-11-07",
    "status": "in_progress", "fee": "250.00", "notes": "Chase the bank statements",
}  # fmt: skip
CHOICES = {
    "job_type": st.sampled_from(Job.JobType.values),
    "status": st.sampled_from(Job.Status.values),
    "fee": st.decimals(min_value=-(10**9), max_value=10**9, places=2).map(str),
    "deadline": st.dates().map(str),
    "period_end": st.dates().map(str),
}
htmx_or_not = st.sampled_from([{}, {"HTTP_HX_REQUEST": "true"}])


@pytest.fixture
def ids(practice, owner, other_practice):
    """Valid and invalid ids for the client and assignee choices."""
    return {
        "client": [CompanyFactory(practice=practice).pk, CompanyFactory(practice=other_practice).pk],
        "assignee": [owner.pk, MembershipFactory(practice=other_practice).user.pk],
    }


def _choices(ids):
    return CHOICES | {name: st.sampled_from(values).map(str) for name, values in ids.items()}


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_new_job_form(owner_client, ids, data):
    valid = JOB | {"client": str(ids["client"][0]), "assignee": str(ids["assignee"][0])}
    values = draw_form(data, valid, _choices(ids))
    assert_no_server_error(owner_client, "post", "/jobs/new/", values, **data.draw(htmx_or_not))


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_new_job_form_on_a_client_page(owner_client, ids, data):
    values = draw_form(data, JOB | {"assignee": str(ids["assignee"][0])}, _choices(ids))
    url = f"/jobs/client/{ids['client'][0]}/new/"
    assert_no_server_error(owner_client, "post", url, values, **data.draw(htmx_or_not))


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_edit_job_form(owner_client, practice, ids, data):
    job = JobFactory(client=CompanyFactory(practice=practice))
    values = draw_form(data, JOB | {"assignee": str(ids["assignee"][0])}, _choices(ids))
    assert_no_server_error(owner_client, "post", f"/jobs/{job.pk}/edit/", values)


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_job_list_filters(owner_client, practice, ids, data):
    JobFactory(client=CompanyFactory(practice=practice))
    valid = {"q": "acme", "status": "open", "job_type": "vat_return", "assignee": "", "due": "7", "page": "1"}
    choices = _choices(ids) | {
        "due": st.sampled_from(["overdue", "7", "30", "90"]),
        "status": st.just("open"),
    }
    values = draw_form(data, valid, choices)
    assert_no_server_error(owner_client, "get", "/jobs/", values, **data.draw(htmx_or_not))
    assert_no_server_error(owner_client, "get", "/jobs/new/", {"client": values.get("q", "")})
