"""Building Raise invoice posts the way the browser sends them."""

import re
import uuid

from django.utils import timezone


def raise_url(client) -> str:
    return f"/clients/{client.pk}/invoices/raise/"


def history_url(client) -> str:
    return f"/clients/{client.pk}/invoices/"


def line(description="Bookkeeping", quantity="1", unit_amount="100.00", account="200", tax_type="", item=""):
    return {
        "description": description, "quantity": quantity, "unit_amount": unit_amount,
        "account": account, "tax_type": tax_type, "item": item,
    }  # fmt: skip


def form_data(lines=None, *, token=None, action="submit", **main) -> dict:
    lines = [line()] if lines is None else lines
    data = {
        "token": token or str(uuid.uuid4()),
        "date": timezone.localdate().isoformat(),
        "due_date": "",
        "reference": "",
        "line_amount_types": "Exclusive",
        "status": "DRAFT",
        "action": action,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "50",
        **main,
    }
    for index, row in enumerate(lines):
        for name, value in row.items():
            data[f"lines-{index}-{name}"] = value
    return data


def shown_totals(html: str) -> dict:
    found = {}
    for key, ident in (
        ("sub_total", "invoice-subtotal"),
        ("total_tax", "invoice-total-tax"),
        ("total", "invoice-total"),
    ):
        match = re.search(rf'id="{ident}">(?:<strong>)?([^<]+)<', html)
        found[key] = match.group(1).replace(",", "").strip() if match else None
    return found
