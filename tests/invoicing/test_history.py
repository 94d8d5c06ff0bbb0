"""Invoice History and the Debtors report link (issue 10 items 5 and 6)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.models import XeroConnection
from integrations.xero.types import XeroInvoiceData
from invoicing.models import Invoice
from invoicing.services.mirror import invoices_upsert
from tests.invoicing.helpers import history_url

pytestmark = pytest.mark.django_db


def xero_invoice(
    contact, number, *, days_ago=10, due_in=20, status="AUTHORISED", due="100.00", reference="", **kw
):
    today = timezone.localdate()
    date = today - dt.timedelta(days=days_ago)
    return XeroInvoiceData(
        invoice_id=f"00000000-0000-4000-8000-{number:012d}", type="ACCREC", status=status,
        number=f"T-{number:04d}", reference=reference, contact_id=contact.contact_id, contact_name=contact.name,
        date=date, due_date=date + dt.timedelta(days=due_in), currency_code="GBP", total=Decimal("100.00"),
        amount_due=Decimal(due), sub_total=Decimal("100.00"),
        updated_at=timezone.now(), **kw,
    )  # fmt: skip


def mirror(connection, invoices):
    invoices_upsert(practice=connection.practice, tenant_id=connection.tenant_id, invoices=invoices)


def test_menu_shows_invoice_history_only_for_linked_clients(linked, owner_client, companies):
    _connection, client, _contact = linked
    linked_page = owner_client.get(client.get_absolute_url()).content.decode()
    assert f'href="{history_url(client)}"' in linked_page and "Invoice History" in linked_page
    other = companies["Acme Widgets Ltd"]
    unlinked_page = owner_client.get(other.get_absolute_url()).content.decode()
    assert "Invoice History" not in unlinked_page
    direct = owner_client.get(history_url(other)).content.decode()
    assert "is not linked to a Xero contact" in direct and "<tbody>" not in direct


def test_lists_only_this_clients_invoices_newest_first(linked, owner_client, companies, xero_sandbox):
    _connection, client, contact = linked
    page = owner_client.get(history_url(client) + "?period=all").content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    sandbox_numbers = {i["InvoiceNumber"] for i in xero_sandbox.invoices()
                       if i["Contact"]["ContactID"] == contact.contact_id and i["Status"] != "DELETED"}  # fmt: skip
    shown = set(re.findall(r">(INV-\d+)<", table))
    assert shown and shown == sandbox_numbers
    mine = Invoice.objects.filter(client=client).exclude(status="DELETED").order_by("-date", "-number")
    assert re.findall(r">(INV-\d+)<", table) == [i.number for i in mine][: len(shown)]
    others = Invoice.objects.exclude(client=client).exclude(number="").values_list("number", flat=True)
    assert not set(others) & shown


def test_overdue_marking_totals_and_period(linked, owner_client):
    connection, client, contact = linked
    Invoice.objects.filter(client=client).delete()
    mirror(connection, [
        xero_invoice(contact, 1, days_ago=60, due_in=30, due="100.00"),  # overdue
        xero_invoice(contact, 2, days_ago=5, due_in=30, due="40.00"),  # due later
        xero_invoice(contact, 3, days_ago=60, due_in=30, status="PAID", due="0.00"),  # paid: never overdue
        xero_invoice(contact, 4, days_ago=500, due_in=30, due="7.00"),  # overdue, older than 12 months
    ])  # fmt: skip
    html = owner_client.get(history_url(client)).content.decode()
    rows = {n: row for row in html.split("<tr") for n in re.findall(r">(T-\d{4})<", row)}
    assert set(rows) == {"T-0001", "T-0002", "T-0003"}  # last 12 months by default
    assert "Overdue" in rows["T-0001"] and "row-overdue" in rows["T-0001"]
    assert "Overdue" not in rows["T-0002"] and "Overdue" not in rows["T-0003"]
    assert re.search(r"<dt>Outstanding</dt><dd[^>]*>GBP 147.00</dd>", html)
    assert re.search(r"<dt>Overdue</dt><dd[^>]*>GBP 107.00</dd>", html)
    everything = owner_client.get(history_url(client) + "?period=all").content.decode()
    assert "T-0004" in everything


def test_deep_links_open_in_a_new_window(linked, owner_client, xero_sandbox):
    connection, client, contact = linked
    html = owner_client.get(history_url(client)).content.decode()
    invoice = (
        Invoice.objects.filter(client=client).exclude(status="DELETED").order_by("-date", "-number").first()
    )
    link = re.search(
        r'<a href="([^"]+InvoiceID%3D' + invoice.invoice_id + r')" target="_blank" rel="noopener">', html
    )
    assert link, "each row opens the invoice in Xero in a new window"
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(f"{xero_sandbox.web_base}/organisationlogin/default.aspx?shortcode=")
    answer = xero_sandbox.http.get(url)
    assert answer.status_code == 200 and invoice.number in answer.text


@pytest.mark.parametrize(
    ("country", "report"), [("GB", "1201"), ("US", "1101"), ("NZ", "1001"), ("", "1001")]
)
def test_debtors_report_link(linked, owner_client, xero_sandbox, country, report):
    connection, client, _contact = linked
    XeroConnection.objects.filter(pk=connection.pk).update(country_code=country)
    html = owner_client.get(history_url(client)).content.decode()
    expected = f"{xero_sandbox.reporting_base}/{connection.short_code}/v1/Run/{report}"
    assert f'<a class="button" href="{expected}" target="_blank" rel="noopener">Debtors report' in html
    if country == "GB":
        assert xero_sandbox.http.get(expected).status_code == 200


def test_no_xero_calls_and_a_fixed_number_of_queries(linked, owner_client, xero_sandbox, htmx):
    connection, client, contact = linked

    def measure():
        with CaptureQueriesContext(db_connection) as queries:
            answer = owner_client.get(history_url(client) + "?period=all", **htmx)
        assert answer.status_code == 200
        return len(queries)

    xero_sandbox.clear_calls()
    few = measure()
    mirror(connection, [xero_invoice(contact, n, days_ago=n % 300) for n in range(1, 120)])
    many = measure()
    assert few == many
    assert xero_sandbox.calls(area="accounting") == []


def test_partial_for_htmx_and_hostile_text_is_escaped(linked, owner_client, htmx):
    connection, client, contact = linked
    mirror(connection, [xero_invoice(contact, 9, reference='<script>alert("ref")</script>')])
    answer = owner_client.get(history_url(client), **htmx)
    html = answer.content.decode()
    assert html.lstrip().startswith('<div id="invoice-history"')
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;ref&quot;)&lt;/script&gt;" in html


def test_sync_now_brings_in_an_invoice_made_in_xero(
    linked, owner_client, xero_sandbox, htmx, django_capture_on_commit_callbacks
):
    connection, client, contact = linked
    made = xero_sandbox.create_invoice({
        "Type": "ACCREC", "Contact": {"ContactID": contact.contact_id}, "Status": "AUTHORISED",
        "LineItems": [{"Description": "Made in Xero", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}],
    })  # fmt: skip
    made = made.get("Invoices", [made])[0] if isinstance(made, dict) else made
    assert not Invoice.objects.filter(invoice_id=made["InvoiceID"]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_client.post(f"{history_url(client)}sync/", **htmx)
    assert answer.status_code == 200
    assert Invoice.objects.filter(invoice_id=made["InvoiceID"], client=client).exists()
    assert made["InvoiceNumber"] in owner_client.get(history_url(client)).content.decode()


def test_the_list_refreshes_itself_so_a_webhook_update_shows_without_a_reload(linked, owner_client, htmx):
    """The partial polls its own URL (keeping the chosen period): the mirror, not Xero, answers."""
    connection, client, contact = linked
    mirror(connection, [xero_invoice(contact, 9)])
    html = owner_client.get(f"{history_url(client)}?period=24", **htmx).content.decode()
    opening = html.lstrip().split(">", 1)[0]
    assert 'hx-trigger="every 30s"' in opening
    assert f'hx-get="{history_url(client)}?period=24"' in opening
