from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clients.models import Client, Officer
from core.models import Practice

COMPANY_FIELDS = (
    "name", "company_type", "company_number", "vat_number", "utr", "registered_address",
    "year_end", "email", "phone", "notes",
)  # fmt: skip
INDIVIDUAL_FIELDS = ("first_name", "last_name", "email", "phone", "ni_number", "utr", "notes")


def _fields_for(kind: str) -> tuple[str, ...]:
    return COMPANY_FIELDS if kind == Client.Kind.COMPANY else INDIVIDUAL_FIELDS


def client_create(*, practice: Practice, kind: str, **data: Any) -> Client:
    client = Client(practice=practice, kind=kind)
    for name in _fields_for(kind):
        if name in data:
            setattr(client, name, data[name])
    client.full_clean()
    client.save()
    return client


def client_update(*, client: Client, **data: Any) -> Client:
    for name in _fields_for(client.kind):
        if name in data:
            setattr(client, name, data[name])
    client.full_clean()
    client.save()
    return client


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
