from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clients.models import Client, Officer
from core.models import Practice
from core.services import model_update

COMPANY_FIELDS = (
    "name", "company_type", "company_number", "vat_number", "utr", "registered_address",
    "year_end", "email", "phone", "notes",
)  # fmt: skip
INDIVIDUAL_FIELDS = ("first_name", "last_name", "email", "phone", "ni_number", "utr", "notes")
NAME_MAX_LENGTH = Client._meta.get_field("name").max_length


def _fields_for(kind: str) -> tuple[str, ...]:
    return COMPANY_FIELDS if kind == Client.Kind.COMPANY else INDIVIDUAL_FIELDS


def individual_name(*, first_name: str, last_name: str) -> str:
    """An individual's `name` ("First Last"): the one column that search and sorting use for both
    kinds. Longer than NAME_MAX_LENGTH is invalid (full_clean says so; the form says it first)."""
    return f"{first_name.strip()} {last_name.strip()}".strip()


def client_create(*, practice: Practice, kind: str, **data: Any) -> Client:
    client = Client(practice=practice, kind=kind)
    for name in _fields_for(kind):
        if name in data:
            setattr(client, name, data[name])
    if kind != Client.Kind.COMPANY:
        client.name = individual_name(first_name=client.first_name, last_name=client.last_name)
    client.full_clean()
    client.save()
    return client


def client_update(*, client: Client, **data: Any) -> Client:
    fields = _fields_for(client.kind)
    if not client.is_company:
        fields = (*fields, "name")
        data["name"] = individual_name(
            first_name=data.get("first_name", client.first_name),
            last_name=data.get("last_name", client.last_name),
        )
    return model_update(instance=client, fields=fields, data=data)


@transaction.atomic
def officer_add(*, company: Client, person: Client, role: str = Officer.Role.DIRECTOR) -> Officer:
    if not company.is_company or person.is_company:
        raise ValidationError("Only individuals can be attached to a company.")
    if company.practice_id != person.practice_id:
        raise ValidationError("That person belongs to another practice.")
    officer, _ = Officer.objects.get_or_create(
        practice_id=company.practice_id, company=company, person=person, role=role
    )
    return officer


def officer_remove(*, officer: Officer) -> None:
    officer.delete()
