import datetime as dt

import pytest

from jobs.models import Job
from jobs.selectors import deadlines, job_list
from tests.factories import CompanyFactory, JobFactory, MembershipFactory

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def jobs(practice):
    client = CompanyFactory(practice=practice)
    assignee = MembershipFactory(practice=practice).user
    return {
        "overdue": JobFactory(client=client, deadline=TODAY - dt.timedelta(days=1), assignee=assignee),
        "soon": JobFactory(client=client, deadline=TODAY + dt.timedelta(days=5), job_type="vat_return"),
        "later": JobFactory(client=client, deadline=TODAY + dt.timedelta(days=60), status="in_progress"),
        "done": JobFactory(client=client, deadline=TODAY - dt.timedelta(days=3), status=Job.Status.COMPLETED),
    }


def _keys(jobs, found):
    return {k for k, j in jobs.items() if j in set(found)}


@pytest.mark.django_db
def test_filters(practice, jobs):
    assert _keys(jobs, job_list(practice=practice, due="overdue", today=TODAY)) == {"overdue"}
    assert _keys(jobs, job_list(practice=practice, due="7", today=TODAY)) == {"soon"}
    assert _keys(jobs, job_list(practice=practice, status="open", today=TODAY)) == {
        "overdue",
        "soon",
        "later",
    }
    assert _keys(jobs, job_list(practice=practice, status="in_progress")) == {"later"}
    assert _keys(jobs, job_list(practice=practice, job_type="vat_return")) == {"soon"}
    assignee_id = jobs["overdue"].assignee_id
    assert _keys(jobs, job_list(practice=practice, assignee_id=assignee_id)) == {"overdue"}


@pytest.mark.django_db
def test_deadlines_widget_data(practice, jobs, other_practice):
    JobFactory(client=CompanyFactory(practice=other_practice), deadline=TODAY)
    data = deadlines(practice=practice, today=TODAY)
    assert data["overdue"] == [jobs["overdue"]]
    assert data["upcoming"] == [jobs["soon"]]
