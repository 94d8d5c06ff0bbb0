"""The practice's demo clients (demo/clients.json), created the way `seed_demo` creates them, so
tests can match them against the sandbox's demo organisation."""

import json

from django.conf import settings

from clients.models import Client
from clients.services import client_create


def demo_rows() -> dict:
    return json.loads((settings.BASE_DIR / "demo" / "clients.json").read_text(encoding="utf-8"))


def _address(parts: dict) -> str:
    return "\n".join(p for p in (parts.get(k, "") for k in ("line1", "line2", "city", "postcode")) if p)


def create_demo_companies(practice) -> dict[str, Client]:
    companies = {}
    for row in demo_rows()["companies"]:
        companies[row["name"]] = client_create(
            practice=practice,
            kind=Client.Kind.COMPANY,
            name=row["name"],
            company_type=Client.CompanyType.LLP
            if row["name"].endswith("LLP")
            else Client.CompanyType.LIMITED,
            company_number=row.get("company_number") or "",
            vat_number=row.get("vat_number") or "",
            email=row.get("email") or "",
            phone=row.get("phone") or "",
            registered_address=_address(row.get("registered_address", {})),
        )
    return companies


def rows_by_match(kind: str) -> list[dict]:
    return [row for row in demo_rows()["companies"] if row["xero"]["match"] == kind]
