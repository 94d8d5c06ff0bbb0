"""Raise invoice (issue 10 items 7 and 8): through the sandbox over HTTP."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from integrations.models import XeroActivity
from invoicing.models import Invoice, InvoiceRaise
from tests.invoicing.helpers import form_data, history_url, line, raise_url, shown_totals

pytestmark = pytest.mark.django_db


def sandbox_invoices_for(sandbox, contact):
    return [i for i in sandbox.invoices() if i["Contact"]["ContactID"] == contact.contact_id]


def accounting_calls(sandbox):
    return sandbox.calls(area="accounting")


# --- the page -------------------------------------------------------------------------------------


def test_form_opens_with_today_and_the_mirror_options_without_calling_xero(
    linked, owner_client, xero_sandbox
):
    _connection, client, _contact = linked
    xero_sandbox.clear_calls()
    html = owner_client.get(raise_url(client)).content.decode()
    assert f'name="date" value="{timezone.localdate().isoformat()}"' in html
    assert "200 · Sales" in html and "20% (VAT on Income)" in html  # revenue accounts and rates
    assert "310 · Cost of Goods Sold" not in html and "VAT on Expenses" not in html
    assert "Currency GBP" in html
    assert accounting_calls(xero_sandbox) == []


def test_add_and_remove_lines_keep_what_was_typed(linked, owner_client, htmx):
    _connection, client, _contact = linked
    data = form_data([line(description="First <b>line</b>")], action="add", reference="REF-1")
    html = owner_client.post(raise_url(client), data, **htmx).content.decode()
    assert html.lstrip().startswith('<div id="invoice-form"')
    assert 'name="lines-TOTAL_FORMS" value="2"' in html
    assert "First &lt;b&gt;line&lt;/b&gt;" in html and 'value="REF-1"' in html
    assert f'value="{data["token"]}"' in html  # the same form, the same token

    two = form_data([line(description="Keep"), line(description="Drop me")], remove="1")
    html = owner_client.post(raise_url(client), two, **htmx).content.decode()
    assert 'name="lines-TOTAL_FORMS" value="1"' in html and "Keep" in html and "Drop me" not in html


def test_an_item_fills_in_its_line(linked, owner_client, htmx):
    _connection, client, _contact = linked
    data = form_data([line(description="", unit_amount="", account="", item="VAT")], action="fill", line="0")
    html = owner_client.post(raise_url(client), data, **htmx).content.decode()
    assert "Quarterly VAT return preparation" in html and 'value="180.00"' in html


# --- Submit ---------------------------------------------------------------------------------------


def test_submit_shows_the_number_xero_assigned_and_lists_it_at_once(linked, owner_client, xero_sandbox, htmx):
    _connection, client, contact = linked
    before = len(sandbox_invoices_for(xero_sandbox, contact))
    data = form_data([line("Annual accounts", "1", "1200.00"), line("Payroll", "3", "45.50", tax_type="RROUTPUT")],
                     reference="Year end 2026", status="AUTHORISED")  # fmt: skip
    answer = owner_client.post(raise_url(client), data, **htmx)
    assert answer.status_code == 200 and answer["HX-Redirect"] == history_url(client)

    created = sandbox_invoices_for(xero_sandbox, contact)
    assert len(created) == before + 1
    new = max(created, key=lambda i: i["InvoiceNumber"])
    number = new["InvoiceNumber"]
    assert new["Url"] == f"http://testserver{client.get_absolute_url()}" or new["Url"].endswith(
        client.get_absolute_url()
    )  # points back to the client in Engager
    mirrored = Invoice.objects.get(invoice_id=new["InvoiceID"])
    assert (mirrored.number, mirrored.client, mirrored.reference) == (number, client, "Year end 2026")
    assert mirrored.online_invoice_url  # approved: Xero's online invoice link is known

    page = owner_client.get(history_url(client)).content.decode()
    assert f"Invoice {number} was raised in Xero" in page  # the number Xero assigned
    assert number in page.split('id="invoice-history"')[1]  # and in the list at once
    assert "Online invoice" in page
    activity = XeroActivity.objects.get(action="invoice_raise", outcome="success")
    assert activity.xero_id == new["InvoiceID"] and number in activity.description


def test_blank_due_date_lets_xero_apply_the_payment_terms(linked, owner_client, xero_sandbox):
    _connection, client, _contact = linked
    owner_client.post(raise_url(client), form_data(date="2026-11-10"))
    raised = Invoice.objects.get(invoice_id=InvoiceRaise.objects.get().invoice_id)
    assert raised.due_date == dt.date(2026, 12, 10)  # the organisation's 30 days


def test_url_uses_site_url(linked, owner_client, xero_sandbox, settings):
    settings.SITE_URL = "https://engager.example.com"
    _connection, client, contact = linked
    owner_client.post(raise_url(client), form_data())
    new = next(
        i
        for i in sandbox_invoices_for(xero_sandbox, contact)
        if i["InvoiceID"] == InvoiceRaise.objects.get().invoice_id
    )
    assert new["Url"] == f"https://engager.example.com{client.get_absolute_url()}"


# --- totals equal Xero's, to the penny ------------------------------------------------------------

AWKWARD = [
    line("Thirds", "3", "33.33"),  # 99.99 → VAT 19.998
    line("Odd quantity", "0.3333", "10.01"),  # 3.336333 → 3.34
    line("Reduced rate", "7", "1.07", tax_type="RROUTPUT"),  # 7.49 at 5% → 0.3745
    line("Half pennies", "2.5", "0.21"),  # 0.525 → 0.53, VAT 0.106
    line("Zero rated", "1", "19.99", tax_type="ZERORATEDOUTPUT"),
]


@pytest.mark.parametrize("amount_types", ["Exclusive", "Inclusive", "NoTax"])
def test_preview_totals_equal_the_sandboxs(linked, owner_client, xero_sandbox, htmx, amount_types):
    _connection, client, contact = linked
    data = form_data(AWKWARD, line_amount_types=amount_types)
    preview = owner_client.post(f"{raise_url(client)}totals/", data, **htmx)
    html = preview.content.decode()
    assert html.lstrip().startswith('<div id="invoice-totals"')
    shown = shown_totals(html)

    owner_client.post(raise_url(client), data)
    raised = InvoiceRaise.objects.get()
    assert raised.status == InvoiceRaise.Status.SUCCEEDED, raised.error
    xero = next(i for i in sandbox_invoices_for(xero_sandbox, contact) if i["InvoiceID"] == raised.invoice_id)
    assert shown == {
        "sub_total": f"{Decimal(str(xero['SubTotal'])):.2f}",
        "total_tax": f"{Decimal(str(xero['TotalTax'])):.2f}",
        "total": f"{Decimal(str(xero['Total'])):.2f}",
    }
    if amount_types == "NoTax":
        assert shown["total_tax"] == "0.00"


# --- bad input: our validation next to the fields -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form_data([]), "Add at least one line"),
        (form_data([line(quantity="0")]), "The quantity must be more than zero."),
        (form_data([line(quantity="-2")]), "The quantity must be more than zero."),
        (form_data([line(description="   ")]), "Enter a description."),
        (form_data([line(unit_amount="99999999")]), "less than or equal to 1000000"),
        (form_data([line(quantity="1000000", unit_amount="999999")]), "more than 10,000,000"),
        (form_data([line(unit_amount="1.005")]), "no more than 2 decimal places"),
        (form_data(date="2026-02-30"), "Enter a valid date."),
        (form_data(date="1066-10-14"), "within 10 years of today"),
        (form_data(date="2026-11-10", due_date="2026-11-01"), "cannot be before the invoice date"),
        (form_data([line(account="999")]), "Select a valid choice"),
        (form_data(token="not-a-token"), "This form has expired"),
    ],
)
def test_our_validation_is_shown_and_nothing_is_sent(linked, owner_client, xero_sandbox, htmx, data, message):
    _connection, client, _contact = linked
    xero_sandbox.clear_calls()
    answer = owner_client.post(raise_url(client), data | {"reference": "Kept <i>ref</i>"}, **htmx)
    html = answer.content.decode()
    assert answer.status_code == 200 and html.lstrip().startswith('<div id="invoice-form"')
    assert message in html
    assert "Kept &lt;i&gt;ref&lt;/i&gt;" in html  # nothing typed is lost, and it is escaped
    assert accounting_calls(xero_sandbox) == []
    assert not InvoiceRaise.objects.exists()


def test_xeros_validation_messages_are_shown_as_given(linked, owner_client, xero_sandbox, htmx):
    _connection, client, contact = linked
    locked = (timezone.localdate() - dt.timedelta(days=800)).isoformat()  # before the year-end lock
    answer = owner_client.post(raise_url(client), form_data(date=locked, status="AUTHORISED"), **htmx)
    html = answer.content.decode()
    assert "Xero did not create the invoice. Xero said:" in html
    assert "The document date cannot be before the end of year lock date" in html
    assert f'value="{locked}"' in html
    assert InvoiceRaise.objects.get().status == InvoiceRaise.Status.FAILED
    assert XeroActivity.objects.filter(action="invoice_raise", outcome="failure").exists()

    # Corrected, Submit again: a new attempt (the refused one created nothing), one invoice.
    fixed = form_data(token=InvoiceRaise.objects.get().form_token)
    owner_client.post(raise_url(client), fixed, **htmx)
    assert InvoiceRaise.objects.filter(status=InvoiceRaise.Status.SUCCEEDED).count() == 1


# --- failures: Xero down, slow, busy; never a second invoice -------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 503}, "Xero is not answering"),
        ({"status": 429}, "Xero is busy"),
    ],
)
def test_xero_down_or_busy_keeps_the_form(linked, owner_client, xero_sandbox, htmx, fault, message):
    _connection, client, contact = linked
    before = len(sandbox_invoices_for(xero_sandbox, contact))
    xero_sandbox.inject_fault(path="/Invoices", count=None, **fault)
    data = form_data([line("Kept description", "2", "12.34")], reference="Kept")
    answer = owner_client.post(raise_url(client), data, **htmx)
    html = answer.content.decode()
    assert answer.status_code == 200 and message in html and "Your invoice was not created" in html
    assert "Kept description" in html and 'value="12.34"' in html
    xero_sandbox.clear_faults()
    assert len(sandbox_invoices_for(xero_sandbox, contact)) == before


def test_a_lost_answer_then_a_retry_makes_exactly_one_invoice(linked, owner_client, xero_sandbox, htmx):
    """Xero creates the invoice, but the answer is lost (a timeout): Submit again → the same key and
    body → Xero replays its answer, and there is still one invoice."""
    _connection, client, contact = linked
    before = len(sandbox_invoices_for(xero_sandbox, contact))
    xero_sandbox.inject_fault(path="/Invoices", method="PUT", timeout=True, delay=0.05, after=True)
    data = form_data([line("Once only", "1", "250.00")])
    first = owner_client.post(raise_url(client), data, **htmx)
    assert "Xero is not answering" in first.content.decode()
    assert len(sandbox_invoices_for(xero_sandbox, contact)) == before + 1  # Xero did create it
    assert InvoiceRaise.objects.get().status == InvoiceRaise.Status.PENDING

    again = owner_client.post(raise_url(client), data, **htmx)
    assert again["HX-Redirect"] == history_url(client)
    assert len(sandbox_invoices_for(xero_sandbox, contact)) == before + 1  # still one
    attempt = InvoiceRaise.objects.get()
    assert (attempt.status, attempt.attempts) == (InvoiceRaise.Status.SUCCEEDED, 2)
    assert Invoice.objects.filter(invoice_id=attempt.invoice_id, client=client).exists()


def test_a_changed_form_after_a_lost_answer_is_not_a_second_invoice(linked, owner_client, xero_sandbox, htmx):
    _connection, client, contact = linked
    before = len(sandbox_invoices_for(xero_sandbox, contact))
    xero_sandbox.inject_fault(path="/Invoices", method="PUT", status=503, after=True)
    data = form_data([line("As first sent", "1", "250.00")])
    owner_client.post(raise_url(client), data, **htmx)
    changed = data | {"lines-0-description": "Changed after"}
    owner_client.post(raise_url(client), changed, **htmx)
    created = sandbox_invoices_for(xero_sandbox, contact)
    assert len(created) == before + 1
    page = owner_client.get(history_url(client)).content.decode()
    assert "created as first submitted" in page


def test_a_double_submit_makes_exactly_one_invoice(linked, owner_client, xero_sandbox, htmx):
    _connection, client, contact = linked
    before = len(sandbox_invoices_for(xero_sandbox, contact))
    data = form_data([line("Double click", "1", "99.00")])
    first = owner_client.post(raise_url(client), data, **htmx)
    second = owner_client.post(raise_url(client), data, **htmx)
    assert first["HX-Redirect"] == second["HX-Redirect"] == history_url(client)
    assert len(sandbox_invoices_for(xero_sandbox, contact)) == before + 1
    assert InvoiceRaise.objects.count() == 1
    assert XeroActivity.objects.filter(action="invoice_raise", outcome="success").count() == 1


def test_raise_for_an_unlinked_client_offers_the_link_instead(linked, owner_client, companies, xero_sandbox):
    _connection, _client, _contact = linked
    unlinked = companies["Acme Widgets Ltd"]
    xero_sandbox.clear_calls()
    page = owner_client.get(raise_url(unlinked)).content.decode()
    assert "is not linked to a Xero contact" in page and "Link with Xero" in page
    answer = owner_client.post(raise_url(unlinked), form_data())
    assert answer.status_code == 200 and not InvoiceRaise.objects.exists()
    assert accounting_calls(xero_sandbox) == []
