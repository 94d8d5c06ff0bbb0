"""Hostile input to every client form gives a page, never a 500 (SQLite here, PostgreSQL in CI)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients.models import Client
from tests.factories import CompanyFactory, IndividualFactory
from tests.hostile_input import HOSTILE, assert_no_server_error, draw_form

COMPANY = {
    "kind": "company", "name": "Kestrel Logistics Ltd", "company_type": "limited",
    "company_number": "SC123456", "vat_number": "GB123456789", "utr": "1234567890",
    "registered_address": "1 High Street\nLeeds", "year_end": "2026-03-31",
    "email": "ops@kestrel.example", "phone": "0113 496 0000", "notes": "Prefers email",
}  # fmt: skip
INDIVIDUAL = {
    "kind": "individual", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
    "phone": "07700 900000", "ni_number": "AB123456C", "utr": "1234567890", "notes": "",
}  # fmt: skip
CHOICES = {
    "kind": st.sampled_from(Client.Kind.values),
    "company_type": st.sampled_from(Client.CompanyType.values),
}
htmx_or_not = st.sampled_from([{}, {"HTTP_HX_REQUEST": "true"}])
# Names that each fit their column (100) but together may not fit `name` (200).
longest_names = st.fixed_dictionaries(
    {
        "first_name": st.sampled_from(["Ada", "A" * 99, "A" * 100]),
        "last_name": st.sampled_from(["King", "B" * 100]),
    }
)


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_new_company_form(owner_client, practice, data):
    values = draw_form(data, COMPANY, CHOICES)
    assert_no_server_error(
        owner_client, "post", "/clients/new/?kind=company", values, **data.draw(htmx_or_not)
    )


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_new_individual_form(owner_client, practice, data):
    values = draw_form(data, INDIVIDUAL | data.draw(longest_names), CHOICES)
    url = "/clients/new/?kind=individual"
    assert_no_server_error(owner_client, "post", url, values, **data.draw(htmx_or_not))


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_edit_company_form(owner_client, practice, data):
    company = CompanyFactory(practice=practice)
    values = draw_form(data, COMPANY, CHOICES)
    assert_no_server_error(owner_client, "post", f"/clients/{company.pk}/edit/", values)


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_edit_individual_form(owner_client, practice, data):
    person = IndividualFactory(practice=practice)
    values = draw_form(data, INDIVIDUAL | data.draw(longest_names), CHOICES)
    assert_no_server_error(owner_client, "post", f"/clients/{person.pk}/edit/", values)


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_people_form(owner_client, practice, other_practice, data):
    company = CompanyFactory(practice=practice)
    people = [IndividualFactory(practice=practice).pk, IndividualFactory(practice=other_practice).pk]
    values = draw_form(
        data,
        {"person": str(people[0]), "role": "director"},
        {"person": st.sampled_from([*people, company.pk]).map(str), "role": st.just("secretary")},
    )
    assert_no_server_error(owner_client, "post", f"/clients/{company.pk}/people/", values)


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_client_list_filters(owner_client, practice, data):
    CompanyFactory(practice=practice)
    values = draw_form(data, {"q": "acme", "kind": "company", "sort": "-name", "page": "1"}, CHOICES)
    assert_no_server_error(owner_client, "get", "/clients/", values, **data.draw(htmx_or_not))
