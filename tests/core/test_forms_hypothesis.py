"""Hostile input to the practice and add-user forms gives a page, never a 500."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.models import Membership
from tests.hostile_input import HOSTILE, assert_no_server_error, draw_form

PRACTICE = {"name": "Smith & Co Accountants", "email": "hello@smith.example", "phone": "0161 496 0000",
            "address": "1 Deansgate\nManchester"}  # fmt: skip
MEMBER = {"first_name": "Ann", "last_name": "Other", "email": "ann@example.com", "role": "staff",
          "password": "a-long-unusual-passphrase"}  # fmt: skip
htmx_or_not = st.sampled_from([{}, {"HTTP_HX_REQUEST": "true"}])


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_practice_form(owner_client, practice, data):
    values = draw_form(data, PRACTICE)
    assert_no_server_error(owner_client, "post", "/settings/", values, **data.draw(htmx_or_not))


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_add_user_form(owner_client, practice, data):
    emails = st.builds(
        lambda local, n: f"{local * n}@example.com", st.sampled_from(["a", "é", "😀"]), st.integers(1, 200)
    )
    values = draw_form(data, MEMBER, {"role": st.sampled_from(Membership.Role.values), "email": emails})
    assert_no_server_error(owner_client, "post", "/settings/users/new/", values, **data.draw(htmx_or_not))
