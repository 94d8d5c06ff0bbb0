import pytest
from django.core.exceptions import ValidationError

from clients.models import Client, Officer
from clients.services import client_create, client_update, officer_add
from tests.factories import CompanyFactory, IndividualFactory


@pytest.mark.django_db
def test_company_needs_name_type_and_number(practice):
    with pytest.raises(ValidationError) as exc:
        client_create(practice=practice, kind=Client.Kind.COMPANY, name="", company_type="")
    assert {"name", "company_type"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        client_create(practice=practice, kind=Client.Kind.COMPANY, name="Acme Ltd", company_type="limited")
    assert "company_number" in exc.value.message_dict


@pytest.mark.django_db
def test_sole_trader_needs_no_company_number(practice):
    client = client_create(
        practice=practice, kind=Client.Kind.COMPANY, name="Bob's Bikes", company_type="sole_trader"
    )
    assert client.pk and client.is_company


@pytest.mark.django_db
def test_individual_name_follows_first_and_last(practice):
    person = client_create(
        practice=practice, kind=Client.Kind.INDIVIDUAL, first_name="Ada", last_name="Lovelace"
    )
    assert person.name == "Ada Lovelace"
    client_update(client=person, last_name="King")
    person.refresh_from_db()
    assert person.name == "Ada King"


@pytest.mark.django_db
def test_invalid_identifiers_are_rejected(practice):
    with pytest.raises(ValidationError) as exc:
        client_create(
            practice=practice, kind=Client.Kind.COMPANY, name="X Ltd", company_type="limited",
            company_number="1234", vat_number="GB12", utr="12",
        )  # fmt: skip
    assert {"company_number", "vat_number", "utr"} <= set(exc.value.message_dict)


@pytest.mark.django_db
def test_officer_links_individual_to_company(practice):
    company = CompanyFactory(practice=practice)
    person = IndividualFactory(practice=practice)
    officer = officer_add(company=company, person=person)
    assert officer.role == Officer.Role.DIRECTOR
    assert officer_add(company=company, person=person) == officer  # twice is harmless
    with pytest.raises(ValidationError):
        officer_add(company=person, person=company)


@pytest.mark.django_db
def test_officer_must_share_the_practice(practice, other_practice):
    with pytest.raises(ValidationError):
        officer_add(
            company=CompanyFactory(practice=practice), person=IndividualFactory(practice=other_practice)
        )
