"""A practice's name is one line: it heads the deadline digest's subject every morning."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from core.models import Practice
from core.services import practice_update
from core.validators import single_line
from jobs.services import deadline_digest_send
from tests.factories import CompanyFactory, JobFactory, MembershipFactory

TODAY = dt.date(2026, 11, 25)
BROKEN_NAMES = ["Smith\nCo", "Smith\r\nBcc: victim@example.com", "Smith\tCo", "Smith\x0bCo", "Smith\u2028Co"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", BROKEN_NAMES)
def test_practice_form_refuses_a_name_with_line_breaks(owner_client, practice, htmx, name):
    response = owner_client.post("/settings/", {"name": name}, **htmx)
    assert response.status_code == 200
    assert "Use one line of text" in response.content.decode()
    practice.refresh_from_db()
    assert practice.name == "Smith & Co Accountants"


@pytest.mark.django_db
def test_practice_update_service_refuses_a_name_with_a_line_break(practice):
    with pytest.raises(ValidationError) as exc:
        practice_update(practice=practice, name="Smith\nCo")
    assert "name" in exc.value.message_dict


@pytest.mark.django_db
def test_digest_survives_a_name_with_line_breaks_already_stored(practice):
    """Rows saved before the rule (or by a script) must not stop that practice's digest every day."""
    Practice.objects.filter(pk=practice.pk).update(name="Smith &\r\nCo\x1b Accountants")
    practice.refresh_from_db()
    alice = MembershipFactory(practice=practice, user__email="alice@firm.example").user
    JobFactory(client=CompanyFactory(practice=practice), assignee=alice, deadline=TODAY)
    assert deadline_digest_send(practice=practice, today=TODAY) == 1
    (message,) = mail.outbox
    assert message.subject == "Smith & Co Accountants: 1 job(s) due this week"


def test_single_line():
    assert single_line(" A\n\nB\tC\u2029D\x00E  ") == "A B C D E"
    assert single_line("Smith & Co") == "Smith & Co"
