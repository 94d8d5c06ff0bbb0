"""An individual's `name` is "First Last", derived by the services, and fits its column."""

import pytest
from django.core.exceptions import ValidationError

from clients.models import Client
from clients.services import NAME_MAX_LENGTH, client_create, client_update
from tests.factories import IndividualFactory

# Each fits its own column (100), but with the space between them not the name column (200).
LONG_FIRST, LONG_LAST = "A" * 100, "B" * 100


def test_the_columns_allow_names_that_together_are_too_long():
    """The premise of these tests: first + " " + last can exceed `name`."""
    first = Client._meta.get_field("first_name").max_length
    last = Client._meta.get_field("last_name").max_length
    assert first + 1 + last > NAME_MAX_LENGTH


@pytest.mark.django_db
def test_service_refuses_an_individual_whose_names_do_not_fit(practice):
    with pytest.raises(ValidationError) as exc:
        client_create(
            practice=practice, kind=Client.Kind.INDIVIDUAL, first_name=LONG_FIRST, last_name=LONG_LAST
        )
    assert "name" in exc.value.message_dict
    assert not Client.objects.exists()  # SQLite used to store the 201 characters silently


@pytest.mark.django_db
def test_service_refuses_an_update_that_makes_the_name_too_long(practice):
    person = client_create(
        practice=practice, kind=Client.Kind.INDIVIDUAL, first_name=LONG_FIRST, last_name="B"
    )
    with pytest.raises(ValidationError):
        client_update(client=person, last_name=LONG_LAST)
    person.refresh_from_db()
    assert person.name == f"{LONG_FIRST} B"


@pytest.mark.django_db
def test_name_is_derived_by_the_service_not_by_model_clean(practice):
    person = Client(practice=practice, kind=Client.Kind.INDIVIDUAL, first_name="Ada", last_name="Lovelace")
    person.full_clean()
    assert person.name == ""  # Model.clean validates; it does not write
    person = client_create(
        practice=practice, kind=Client.Kind.INDIVIDUAL, first_name=" Ada ", last_name="King"
    )
    assert person.name == "Ada King"


@pytest.mark.django_db
def test_form_says_the_names_are_too_long_and_keeps_them(owner_client, practice, htmx):
    data = {"kind": "individual", "first_name": LONG_FIRST, "last_name": LONG_LAST}
    response = owner_client.post("/clients/new/?kind=individual", data, **htmx)
    body = response.content.decode()
    assert response.status_code == 200
    assert "First and last names together can have at most 199 characters" in body
    assert f'value="{LONG_LAST}"' in body
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_edit_form_says_the_names_are_too_long(owner_client, practice):
    person = IndividualFactory(
        practice=practice, first_name=LONG_FIRST, last_name="B", name=f"{LONG_FIRST} B"
    )
    response = owner_client.post(
        f"/clients/{person.pk}/edit/", {"first_name": LONG_FIRST, "last_name": LONG_LAST}
    )
    assert response.status_code == 200
    assert "First and last names together can have at most 199 characters" in response.content.decode()
    person.refresh_from_db()
    assert person.last_name == "B"


@pytest.mark.django_db
def test_names_that_just_fit_are_saved(owner_client, practice):
    data = {"kind": "individual", "first_name": LONG_FIRST, "last_name": "B" * 99}
    response = owner_client.post("/clients/new/?kind=individual", data)
    assert response.status_code == 302
    assert len(Client.objects.get(practice=practice).name) == NAME_MAX_LENGTH
