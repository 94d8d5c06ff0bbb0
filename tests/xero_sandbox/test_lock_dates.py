"""Lock dates as Xero has them: the Organisation's PeriodLockDate and EndOfYearLockDate, set "in
Xero" on the sandbox's home page; documents dated on or before them cannot be approved, edited or
voided (drafts and documents awaiting approval can), and payments dated on or before them are
refused. The demo organisation is locked at its last year end."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests
from xero_python.accounting import Contact, Invoice, Invoices, LineItem
from xero_python.exceptions import AccountingBadRequestException

from xero_sandbox import plain
from xero_sandbox.books.locks import last_year_end, xero_date
from xero_sandbox.records import Organisation
from xero_sandbox.wire import ms_date

from .test_web import Browser


def period_message(on: dt.date) -> str:
    return f"The document date cannot be before the period lock date, currently set at {xero_date(on)}"


def year_end_message(on: dt.date) -> str:
    return f"The document date cannot be before the end of year lock date, currently set at {xero_date(on)}"


EDIT_MESSAGES = [
    "The document cannot be edited as it is currently dated before the period lock date",
    "The document cannot be edited as it is currently dated before the end of year lock date",
]


@pytest.fixture
def token(xero_sandbox) -> str:
    return xero_sandbox.connect()["access_token"]


@pytest.fixture
def lock(xero_sandbox) -> dt.date:
    """The demo organisation's lock date, as the home page shows it."""
    page = Browser(xero_sandbox).get("/")
    found = re.search(r'name="period_lock_date" value="(\d{4}-\d\d-\d\d)"', page)
    return dt.date.fromisoformat(found.group(1))


def api(sandbox, token: str, method: str, resource: str, **kwargs):
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": sandbox.demo_tenant_id}
    return requests.request(
        method, f"{sandbox.accounting_url}/{resource}", headers=headers, timeout=10, **kwargs
    )


def contact_id(sandbox, token: str) -> str:
    contacts = api(sandbox, token, "GET", "Contacts", params={"where": 'Name=="Cobalt Software Ltd"'}).json()
    return contacts["Contacts"][0]["ContactID"]


def sale(contact: str, on: dt.date, status: str) -> dict:
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact},
        "Date": on.isoformat(),
        "DueDate": (on + dt.timedelta(days=30)).isoformat(),
        "Status": status,
        "LineItems": [{"Description": "Fees", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}],
    }


def errors_of(response) -> list[str]:
    assert response.status_code == 400, response.text
    return [error["Message"] for error in response.json()["Elements"][0]["ValidationErrors"]]


def set_lock_dates(sandbox, period: str, end_of_year: str) -> str:
    form = {
        "action": "lock_dates",
        "period_lock_date": period,
        "end_of_year_lock_date": end_of_year,
        "next": f"{urlsplit(sandbox.base_url).path}/",  # back to the home page
    }
    return Browser(sandbox).post(f"/orgs/{sandbox.demo_tenant_id}/act", form)


def test_the_demo_organisation_is_locked_at_its_last_year_end(xero_sandbox, token, lock):
    (org,) = api(xero_sandbox, token, "GET", "Organisation").json()["Organisations"]
    today = dt.date.today()
    year_end = last_year_end(Organisation("t", "n", "n", "!x", dt.datetime.now(dt.UTC)), today)
    assert lock == year_end and (lock.month, lock.day) == (3, 31)  # FinancialYearEnd 31 March
    assert org["PeriodLockDate"] == org["EndOfYearLockDate"] == ms_date(lock)


def test_the_sdk_reads_the_lock_dates(sdk, tenant, lock):
    (org,) = sdk.accounting.get_organisations(tenant).organisations
    assert org.period_lock_date == org.end_of_year_lock_date == lock


def test_lock_dates_are_shown_only_if_set(xero_sandbox):
    token = xero_sandbox.connect(tenants=[xero_sandbox.second_tenant_id])["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": xero_sandbox.second_tenant_id}
    (org,) = requests.get(f"{xero_sandbox.accounting_url}/Organisation", headers=headers, timeout=10).json()[
        "Organisations"
    ]
    assert "PeriodLockDate" not in org and "EndOfYearLockDate" not in org


def test_approving_a_document_dated_on_or_before_the_lock_date_is_refused(xero_sandbox, token, lock):
    contact = contact_id(xero_sandbox, token)
    for on in (lock, lock - dt.timedelta(days=200)):
        refused = api(
            xero_sandbox, token, "PUT", "Invoices", json={"Invoices": [sale(contact, on, "AUTHORISED")]}
        )
        assert errors_of(refused) == [period_message(lock), year_end_message(lock)]
    after = api(
        xero_sandbox,
        token,
        "PUT",
        "Invoices",
        json={"Invoices": [sale(contact, lock + dt.timedelta(days=1), "AUTHORISED")]},
    )
    assert after.status_code == 200, after.text


def test_drafts_and_submitted_documents_may_be_dated_in_a_locked_period_but_not_approved(
    xero_sandbox, token, lock
):
    contact = contact_id(xero_sandbox, token)
    for status in ("DRAFT", "SUBMITTED"):
        created = api(
            xero_sandbox, token, "PUT", "Invoices", json={"Invoices": [sale(contact, lock, status)]}
        )
        assert created.status_code == 200, created.text
        invoice_id = created.json()["Invoices"][0]["InvoiceID"]
        edited = api(
            xero_sandbox, token, "POST", f"Invoices/{invoice_id}", json={"Invoices": [{"Reference": "ok"}]}
        )
        assert edited.status_code == 200, "a draft in a locked period can still be edited"
        approve = api(
            xero_sandbox,
            token,
            "POST",
            f"Invoices/{invoice_id}",
            json={"Invoices": [{"Status": "AUTHORISED"}]},
        )
        assert errors_of(approve) == [period_message(lock), year_end_message(lock)]
        redated = api(
            xero_sandbox,
            token,
            "POST",
            f"Invoices/{invoice_id}",
            json={"Invoices": [{"Status": "AUTHORISED", "Date": (lock + dt.timedelta(days=1)).isoformat()}]},
        )
        assert redated.status_code == 200, "moved out of the locked period, it can be approved"


def test_approved_documents_in_a_locked_period_stay_readable_but_cannot_be_edited_or_voided(
    xero_sandbox, token, lock
):
    old = next(
        invoice
        for invoice in xero_sandbox.invoices()
        if invoice["Status"] == "AUTHORISED" and dt.date.fromisoformat(invoice["DateString"][:10]) <= lock
    )
    read = api(xero_sandbox, token, "GET", f"Invoices/{old['InvoiceID']}")
    assert read.status_code == 200 and read.json()["Invoices"][0]["Status"] == "AUTHORISED"
    for change in ({"Reference": "changed"}, {"Status": "VOIDED"}):
        refused = api(
            xero_sandbox, token, "POST", f"Invoices/{old['InvoiceID']}", json={"Invoices": [change]}
        )
        assert errors_of(refused) == EDIT_MESSAGES
    assert (
        api(xero_sandbox, token, "GET", f"Invoices/{old['InvoiceID']}").json()["Invoices"][0]["Status"]
        == "AUTHORISED"
    )


def test_the_sdk_surfaces_xeros_message(sdk, tenant, lock):
    contact = sdk.accounting.get_contacts(tenant, where='Name=="Cobalt Software Ltd"').contacts[0]
    invoice = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact.contact_id),
        date=lock,
        due_date=lock + dt.timedelta(days=30),
        status="AUTHORISED",
        line_items=[
            LineItem(description="Fees", quantity=Decimal(1), unit_amount=Decimal(100), account_code="200")
        ],
    )
    with pytest.raises(AccountingBadRequestException) as raised:
        sdk.accounting.create_invoices(tenant, Invoices(invoices=[invoice]))
    assert raised.value.reason == period_message(lock)


def test_set_in_xero_on_the_home_page(xero_sandbox, token, lock):
    period = lock + dt.timedelta(days=92)
    page = set_lock_dates(xero_sandbox, period.isoformat(), "")
    assert "Lock dates of Engager Demo Practice Ltd saved." in page
    assert f'value="{period.isoformat()}"' in page
    (org,) = api(xero_sandbox, token, "GET", "Organisation").json()["Organisations"]
    assert org["PeriodLockDate"] == ms_date(period) and "EndOfYearLockDate" not in org
    contact = contact_id(xero_sandbox, token)
    refused = api(
        xero_sandbox, token, "PUT", "Invoices", json={"Invoices": [sale(contact, period, "AUTHORISED")]}
    )
    assert errors_of(refused) == [period_message(period)], "only the lock dates that are set apply"
    set_lock_dates(xero_sandbox, "", "")
    (org,) = api(xero_sandbox, token, "GET", "Organisation").json()["Organisations"]
    assert "PeriodLockDate" not in org and "EndOfYearLockDate" not in org
    opened = api(
        xero_sandbox, token, "PUT", "Invoices", json={"Invoices": [sale(contact, lock, "AUTHORISED")]}
    )
    assert opened.status_code == 200, "with the locks removed the period is open again"


def test_a_bad_lock_date_is_refused_on_the_page(xero_sandbox, lock):
    page = set_lock_dates(xero_sandbox, "31/03/2026", "")
    assert "Period lock date must be a date (YYYY-MM-DD)" in page
    assert f'name="period_lock_date" value="{lock.isoformat()}"' in page, "nothing changed"


def test_payments_dated_on_or_before_the_lock_date_are_refused(xero_sandbox, token, lock):
    contact = contact_id(xero_sandbox, token)
    on = lock + dt.timedelta(days=1)
    created = api(
        xero_sandbox, token, "PUT", "Invoices", json={"Invoices": [sale(contact, on, "AUTHORISED")]}
    )
    invoice_id = created.json()["Invoices"][0]["InvoiceID"]
    payments = f"orgs/{xero_sandbox.demo_tenant_id}/invoices/{invoice_id}/payments"
    with pytest.raises(AssertionError, match=re.escape(period_message(lock))):
        xero_sandbox.control("POST", payments, {"amount": "10.00", "date": lock.isoformat()})
    xero_sandbox.control("POST", payments, {"amount": "10.00", "date": on.isoformat()})
    paid = api(xero_sandbox, token, "GET", f"Invoices/{invoice_id}").json()["Invoices"][0]
    assert paid["AmountPaid"] == 10.0


def test_lock_dates_survive_a_save_and_reload(lock):
    org = Organisation("t", "n", "n", "!x", dt.datetime.now(dt.UTC), period_lock_date=lock)
    loaded = plain.load(Organisation, plain.dump(org))
    assert (loaded.period_lock_date, loaded.end_of_year_lock_date) == (lock, None)
