"""The dashboard's Debtors widget agrees with Xero to the penny (issue 11 items 7 and 8).

Xero's own figures come from the sandbox's Accounting API over HTTP: every contact's
`Balances.AccountsReceivable` and, for several contacts (part-paid, credit-noted, plain), the
`AgedReceivablesByContact` report, bucketed row by row.
"""

import datetime as dt
import re
from decimal import Decimal
from html import escape

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.models import XeroConnection, XeroContact
from integrations.services import xero_access_token
from invoicing.debtors import BUCKETS, aged_receivables, as_at_date
from invoicing.mirror_version import mirror_changed, work_changed
from invoicing.models import CreditNote, Invoice, JobInvoiceLink
from tests.factories import CompanyFactory, JobFactory
from tests.invoicing.test_history import mirror, xero_invoice

pytestmark = pytest.mark.django_db

WIDGET = "/jobs/xero/widgets/debtors/"
BUCKET_KEYS = [key for key, *_rest in BUCKETS]


@pytest.fixture(autouse=True)
def _fresh_versions(practice):
    """The figures and the unbilled work are cached under the practice's mirror and work versions;
    on SQLite a rolled-back practice's pk comes back in the next test, so start from new versions."""
    mirror_changed(practice.pk)
    work_changed(practice.pk)


# --- Xero's figures, over HTTP ----------------------------------------------------------------------


def api_get(sandbox, connection, path, **params):
    response = sandbox.http.get(
        f"{sandbox.accounting_url}/{path}",
        params=params,
        headers={
            "Authorization": f"Bearer {xero_access_token(connection=connection)}",
            "xero-tenant-id": connection.tenant_id,
            "Accept": "application/json",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def xero_balances(sandbox, connection) -> dict[str, tuple[Decimal, Decimal]]:
    """ContactID → (Outstanding, Overdue) from Balances.AccountsReceivable, every page of contacts."""
    found, page = {}, 1
    while True:
        contacts = api_get(sandbox, connection, "Contacts", page=page, includeArchived="true")["Contacts"]
        for contact in contacts:
            receivable = contact.get("Balances", {}).get("AccountsReceivable", {})
            found[contact["ContactID"]] = (
                Decimal(str(receivable.get("Outstanding", 0))),
                Decimal(str(receivable.get("Overdue", 0))),
            )
        if len(contacts) < 100:
            return found
        page += 1


def bucket_of(days_overdue: int) -> str:
    for key, _label, _long, low, high in BUCKETS:
        if low is None and days_overdue <= 0:
            return key
        if low is not None and days_overdue >= low and (high is None or days_overdue <= high):
            return key
    raise AssertionError(days_overdue)


def xero_aged_by_contact(sandbox, connection, contact_id: str, as_at: dt.date) -> dict:
    """The contact's AgedReceivablesByContact as at the date: each row's Due in its bucket (by its
    due date, or a credit note's date), and the report's closing balance."""
    report = api_get(
        sandbox, connection, "Reports/AgedReceivablesByContact", contactId=contact_id, date=as_at.isoformat()
    )["Reports"][0]
    buckets = dict.fromkeys(BUCKET_KEYS, Decimal("0.00"))
    closing = None
    for section in report["Rows"]:
        for row in section.get("Rows", []):
            cells = [cell.get("Value", "") for cell in row["Cells"]]
            if row["RowType"] == "SummaryRow" and cells[0] == "Closing Balance":
                closing = Decimal(cells[7])
            if row["RowType"] != "Row" or cells[1] == "Opening Balance":
                continue
            ages_from = dt.date.fromisoformat((cells[2] or cells[0])[:10])
            overdue_text = re.match(r"(\d+) days overdue", cells[3])
            days = (as_at - ages_from).days
            if overdue_text:
                assert int(overdue_text.group(1)) == days
            buckets[bucket_of(days)] += Decimal(cells[7])
    return {"buckets": buckets, "closing": closing}


# --- the widget as a user sees it -----------------------------------------------------------------------


def money(html: str, ident: str) -> Decimal:
    match = re.search(rf'id="{ident}">([A-Z]{{3}} )?([-\d,.]+)', html)
    assert match, f"#{ident} not found"
    return Decimal(match.group(2).replace(",", ""))


def widget_html(owner_client, htmx) -> str:
    answer = owner_client.get(WIDGET, **htmx)
    assert answer.status_code == 200
    return answer.content.decode()


def shown_buckets(html: str) -> dict[str, Decimal]:
    found = {}
    for key in BUCKET_KEYS:
        match = re.search(
            rf'id="debtors-bucket-{key}"><th scope="row">[^<]+</th><td class="num">([-\d,.]+)<', html
        )
        assert match, key
        found[key] = Decimal(match.group(1).replace(",", ""))
    return found


def sync(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_client.post("/jobs/xero/sync/")
    assert answer.status_code == 302


@pytest.fixture
def demo(linked, xero_sandbox):
    """The demo organisation, synced; (connection, sandbox)."""
    connection, _client, _contact = linked
    connection.refresh_from_db()
    return connection, xero_sandbox


def test_totals_equal_the_sum_of_xeros_contact_balances(demo, owner_client, htmx):
    connection, sandbox = demo
    balances = xero_balances(sandbox, connection)
    outstanding = sum((o for o, _ in balances.values()), Decimal(0))
    overdue = sum((d for _, d in balances.values()), Decimal(0))
    assert outstanding > 0 and overdue > 0
    html = widget_html(owner_client, htmx)
    assert money(html, "debtors-outstanding") == outstanding
    assert money(html, "debtors-overdue") == overdue
    buckets = shown_buckets(html)
    assert sum(buckets.values()) == outstanding
    assert outstanding - buckets["current"] == overdue
    # The same as Xero's invoices and credit notes: AUTHORISED AmountDue less remaining credit.
    invoices = sandbox.invoices()
    due = sum(
        (
            Decimal(str(i["AmountDue"]))
            for i in invoices
            if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"
        ),
        Decimal(0),
    )
    notes = api_get(sandbox, connection, "CreditNotes")["CreditNotes"]
    credit = sum(
        (
            Decimal(str(n["RemainingCredit"]))
            for n in notes
            if n["Type"] == "ACCRECCREDIT" and n["Status"] == "AUTHORISED"
        ),
        Decimal(0),
    )
    assert credit > 0, "the demo has unallocated credit"
    assert outstanding == due - credit


def _interesting_contacts(sandbox, connection) -> dict[str, str]:
    """Contacts with a part-paid invoice, a part-credited invoice and unallocated credit."""
    picks = {}
    for invoice in sandbox.invoices():
        if invoice["Type"] != "ACCREC" or invoice["Status"] != "AUTHORISED":
            continue
        paid, credited = (
            Decimal(str(invoice.get("AmountPaid", 0))),
            Decimal(str(invoice.get("AmountCredited", 0))),
        )
        if paid > 0 and "part-paid" not in picks:
            picks["part-paid"] = invoice["Contact"]["ContactID"]
        if credited > 0 and "credited" not in picks:
            picks["credited"] = invoice["Contact"]["ContactID"]
    notes = api_get(sandbox, connection, "CreditNotes")["CreditNotes"]
    for note in notes:
        if (
            note["Type"] == "ACCRECCREDIT"
            and note["Status"] == "AUTHORISED"
            and Decimal(str(note["RemainingCredit"])) > 0
        ):
            picks.setdefault("unallocated credit", note["Contact"]["ContactID"])
    assert {"part-paid", "credited", "unallocated credit"} <= set(picks), picks
    return picks


def test_each_contact_agrees_with_aged_receivables_by_contact(demo, linked):
    connection, sandbox = demo
    _connection, _client, brightwater = linked
    picks = _interesting_contacts(sandbox, connection) | {"plain": brightwater.contact_id}
    balances = xero_balances(sandbox, connection)
    as_at = as_at_date(connection)
    assert as_at == timezone.localdate()
    for why, contact_id in picks.items():
        ours = aged_receivables(
            practice=connection.practice, tenant_id=connection.tenant_id, as_at=as_at, contact_id=contact_id
        )
        xero = xero_aged_by_contact(sandbox, connection, contact_id, as_at)
        assert ours.buckets == xero["buckets"], why
        assert ours.outstanding == xero["closing"] == balances[contact_id][0], why
        assert ours.overdue == balances[contact_id][1], why


def test_top_debtors_link_to_their_invoice_history(demo, owner_client, htmx, linked):
    connection, sandbox = demo
    _connection, client, brightwater = linked
    balances = xero_balances(sandbox, connection)
    html = widget_html(owner_client, htmx)
    top = re.search(r'<ol class="debtors-top">(.*?)</ol>', html, re.S).group(1)
    amounts = [
        Decimal(a.replace(",", "")) for a in re.findall(r'<span class="num">GBP ([\d,.]+)</span>', top)
    ]
    expected = sorted((o for o, _ in balances.values() if o > 0), reverse=True)[:5]
    assert amounts == expected
    names = {c.contact_id: c.name for c in XeroContact.objects.filter(practice=connection.practice)}
    biggest = max(balances, key=lambda cid: balances[cid][0])
    assert escape(names[biggest]) in top
    if balances[brightwater.contact_id][0] in expected:
        assert f'href="/clients/{client.pk}/invoices/"' in top


def test_paying_an_invoice_in_xero_and_syncing_moves_the_figures(
    demo, owner_client, htmx, django_capture_on_commit_callbacks
):
    connection, sandbox = demo
    before = widget_html(owner_client, htmx)
    outstanding, overdue = money(before, "debtors-outstanding"), money(before, "debtors-overdue")
    today = timezone.localdate()
    late = next(
        i for i in sandbox.invoices()
        if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED" and Decimal(str(i["AmountDue"])) > 0
        and Invoice.objects.get(invoice_id=i["InvoiceID"]).due_date < today
    )  # fmt: skip
    due = Decimal(str(late["AmountDue"]))
    sandbox.pay_invoice(late["InvoiceID"])
    assert money(widget_html(owner_client, htmx), "debtors-outstanding") == outstanding  # until synced
    sync(owner_client, django_capture_on_commit_callbacks)
    after = widget_html(owner_client, htmx)
    assert money(after, "debtors-outstanding") == outstanding - due
    assert money(after, "debtors-overdue") == overdue - due
    balances = xero_balances(sandbox, connection)
    assert money(after, "debtors-outstanding") == sum((o for o, _ in balances.values()), Decimal(0))


def test_part_payment_in_xero(demo, owner_client, htmx, django_capture_on_commit_callbacks):
    connection, sandbox = demo
    outstanding = money(widget_html(owner_client, htmx), "debtors-outstanding")
    invoice = next(
        i for i in sandbox.invoices()
        if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED" and Decimal(str(i["AmountDue"])) > 10
    )  # fmt: skip
    sandbox.pay_invoice(invoice["InvoiceID"], "10.01")
    sync(owner_client, django_capture_on_commit_callbacks)
    html = widget_html(owner_client, htmx)
    assert money(html, "debtors-outstanding") == outstanding - Decimal("10.01")
    contact_id = invoice["Contact"]["ContactID"]
    ours = aged_receivables(
        practice=connection.practice, tenant_id=connection.tenant_id, as_at=as_at_date(connection),
        contact_id=contact_id,
    )  # fmt: skip
    assert ours.outstanding == xero_balances(sandbox, connection)[contact_id][0]


def test_chart_is_accessible_svg_with_the_numbers_as_text(demo, owner_client, htmx):
    html = widget_html(owner_client, htmx)
    assert html.lstrip().startswith('<h2 id="widget-debtors-title">Debtors</h2>')
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="debtors-chart-title debtors-chart-desc"' in svg
    assert '<title id="debtors-chart-title">' in svg
    desc = re.search(r'<desc id="debtors-chart-desc">([^<]+)</desc>', svg).group(1)
    for _key, _label, long_label, *_rest in BUCKETS:
        assert long_label in desc
    assert len(re.findall(r'<rect class="bar', svg)) == 5
    for label in ("Current", "1–30", "31–60", "61–90", "90+"):
        assert f">{label}</text>" in svg
    assert "style=" not in html


def test_as_of_the_last_sync_and_the_debtors_report(demo, owner_client, htmx, xero_sandbox):
    connection, _sandbox = demo
    XeroConnection.objects.filter(pk=connection.pk).update(
        last_sync_at=timezone.make_aware(dt.datetime(2026, 3, 4, 9, 30))
    )
    html = widget_html(owner_client, htmx)
    assert "As of the last sync with Xero, 4 Mar 2026, 09:30." in html
    assert "as at 4 Mar 2026" in html
    expected = f"{xero_sandbox.reporting_base}/{connection.short_code}/v1/Run/1201"
    assert f'<a class="button" href="{expected}" target="_blank" rel="noopener">Debtors report' in html


def test_ageing_is_by_due_date_as_at_the_last_sync(linked, owner_client, htmx):
    connection, _client, contact = linked
    Invoice.objects.filter(practice=connection.practice).delete()
    CreditNote.objects.filter(practice=connection.practice).delete()
    today = timezone.localdate()
    mirror(connection, [
        xero_invoice(contact, 1, days_ago=5, due_in=30, due="1.00"),  # current
        xero_invoice(contact, 2, days_ago=31, due_in=30, due="2.00"),  # 1 day overdue
        xero_invoice(contact, 3, days_ago=60, due_in=30, due="4.00"),  # 30 days
        xero_invoice(contact, 4, days_ago=61, due_in=30, due="8.00"),  # 31 days
        xero_invoice(contact, 5, days_ago=120, due_in=30, due="16.00"),  # 90 days
        xero_invoice(contact, 6, days_ago=121, due_in=30, due="32.00"),  # 91 days
        xero_invoice(contact, 7, days_ago=30, due_in=30, due="64.00"),  # due today: current
        xero_invoice(contact, 8, days_ago=400, due_in=30, status="SUBMITTED", due="128.00"),  # not approved
        xero_invoice(contact, 9, days_ago=400, due_in=30, status="DRAFT", due="256.00"),  # not approved
    ])  # fmt: skip
    XeroConnection.objects.filter(pk=connection.pk).update(last_sync_at=timezone.now())
    html = widget_html(owner_client, htmx)
    assert shown_buckets(html) == {
        "current": Decimal("65.00"), "d1_30": Decimal("6.00"), "d31_60": Decimal("8.00"),
        "d61_90": Decimal("16.00"), "d90_plus": Decimal("32.00"),
    }  # fmt: skip
    assert money(html, "debtors-outstanding") == Decimal("127.00")
    # A day later (as at the next day's sync) everything is a day older.
    XeroConnection.objects.filter(pk=connection.pk).update(last_sync_at=timezone.now() + dt.timedelta(days=1))
    later = shown_buckets(widget_html(owner_client, htmx))
    assert later["current"] == Decimal("1.00") and later["d1_30"] == Decimal("66.00")
    assert later["d31_60"] == Decimal("12.00") and later["d90_plus"] == Decimal("48.00")
    assert today  # the as-at date is the sync's, not the page view's


def test_debtor_days_and_unbilled_completed_work(linked, owner_client, htmx, practice):
    connection, client, contact = linked
    Invoice.objects.filter(practice=practice).delete()
    CreditNote.objects.filter(practice=practice).delete()
    mirror(connection, [
        xero_invoice(contact, 1, days_ago=10, due="100.00"),  # total 100 each
        xero_invoice(contact, 2, days_ago=100, status="PAID", due="0.00"),
        xero_invoice(contact, 3, days_ago=200, status="PAID", due="0.00"),
        xero_invoice(contact, 4, days_ago=400, status="PAID", due="0.00"),  # older than 12 months
        xero_invoice(contact, 5, days_ago=20, status="DRAFT", due="100.00"),  # not a sale yet
    ])  # fmt: skip
    done = [
        JobFactory(client=client, status="completed", fee=Decimal("450.00")),
        JobFactory(client=client, status="completed", fee=Decimal("300.50")),
        JobFactory(client=client, status="completed", fee=Decimal("99.00")),
    ]
    JobFactory(client=client, status="in_progress", fee=Decimal("1000.00"))  # not completed
    JobInvoiceLink.objects.create(
        practice=practice, job=done[2], invoice=Invoice.objects.get(number="T-0001")
    )
    html = widget_html(owner_client, htmx)
    # 100 outstanding ÷ 300 of sales in the last 12 months × 365 = 121.67 → 122 days
    assert re.search(r'id="debtors-days">122 days<', html)
    assert money(html, "debtors-unbilled") == Decimal("750.50")
    assert '<a class="small" href="/jobs/?status=completed_not_invoiced">(2 jobs)</a>' in html
    listed = owner_client.get("/jobs/?status=completed_not_invoiced").content.decode()
    assert done[0].reference in listed and done[2].reference not in listed


def test_not_connected_invites_to_connect(owner_client, htmx, practice):
    html = widget_html(owner_client, htmx)
    assert "Connect Xero to see who owes you what" in html and 'href="/settings/integrations/xero/"' in html
    assert "<svg" not in html


def test_staff_are_told_to_ask_a_manager(staff_client, htmx):
    html = widget_html(staff_client, htmx)
    assert "Ask an owner or admin of your practice to connect Xero." in html


def test_dashboard_loads_the_widget_lazily(owner_client):
    html = owner_client.get("/").content.decode()
    assert re.search(
        r'<section class="card widget" id="widget-debtors"[^>]*\s+hx-get="/jobs/xero/widgets/debtors/" hx-trigger="load"',
        html,
    )


def test_names_with_html_are_escaped(linked, owner_client, htmx, practice):
    connection, _client, contact = linked
    Invoice.objects.filter(practice=practice).delete()
    CreditNote.objects.filter(practice=practice).delete()
    mirror(connection, [xero_invoice(contact, 1, due="100.00")])
    XeroContact.objects.filter(pk=contact.pk).update(name='<img src=x onerror="alert(1)">')
    html = widget_html(owner_client, htmx)
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_no_xero_calls_and_a_fixed_number_of_queries(linked, owner_client, htmx, xero_sandbox, practice):
    connection, client, contact = linked

    def measure():
        with CaptureQueriesContext(db_connection) as queries:
            widget_html(owner_client, htmx)
        return len(queries)

    xero_sandbox.clear_calls()
    few = measure()
    mirror(connection, [xero_invoice(contact, n, days_ago=n % 300, due="12.34") for n in range(1, 150)])
    for _ in range(5):
        JobFactory(client=client, status="completed", fee=Decimal("10.00"))
    many = measure()
    assert few == many
    assert xero_sandbox.calls(area="accounting") == []


def test_another_practices_rows_never_count(linked, owner_client, htmx, other_practice):
    connection, _client, contact = linked
    before = widget_html(owner_client, htmx)
    # The same organisation's invoices mirrored for another practice (and its completed work).
    Invoice.objects.create(
        practice=other_practice, tenant_id=connection.tenant_id, invoice_id="other-1", number="OTHER-1",
        xero_contact_id=contact.contact_id, contact_name="Rival's debtor", status="AUTHORISED",
        date=timezone.localdate(), due_date=timezone.localdate() - dt.timedelta(days=40),
        total=Decimal("999.00"), amount_due=Decimal("999.00"),
    )  # fmt: skip
    JobFactory(client=CompanyFactory(practice=other_practice), status="completed", fee=Decimal("555.00"))
    after = widget_html(owner_client, htmx)
    for ident in ("debtors-outstanding", "debtors-overdue", "debtors-unbilled"):
        assert money(after, ident) == money(before, ident)
    assert "Rival" not in after


# --- unbilled completed work: cached, and live ------------------------------------------------------


def unbilled_queries(owner_client, htmx) -> tuple[Decimal, str, int]:
    """(amount, "(n jobs)" link text, how many queries read the jobs' fees) for one widget view."""
    with CaptureQueriesContext(db_connection) as queries:
        html = widget_html(owner_client, htmx)
    jobs = re.search(r'status=completed_not_invoiced">\((\d+ jobs?)\)</a>', html).group(1)
    reads = sum('"jobs_job"."fee"' in query["sql"] for query in queries.captured_queries)
    return money(html, "debtors-unbilled"), jobs, reads


def test_unbilled_work_is_cached_until_a_job_or_link_changes(linked, owner_client, htmx, practice):
    connection, client, contact = linked
    mirror(connection, [xero_invoice(contact, 1, due="100.00")])
    done = JobFactory(client=client, status="completed", fee=Decimal("200.00"))
    later = JobFactory(client=client, status="in_progress", fee=Decimal("50.00"))
    assert unbilled_queries(owner_client, htmx) == (Decimal("200.00"), "1 job", 1)
    assert unbilled_queries(owner_client, htmx) == (Decimal("200.00"), "1 job", 0)  # from the cache

    later.status = "completed"  # a job completed
    later.save()
    assert unbilled_queries(owner_client, htmx) == (Decimal("250.00"), "2 jobs", 1)
    done.fee = Decimal("210.00")  # a fee changed
    done.save()
    assert unbilled_queries(owner_client, htmx)[:2] == (Decimal("260.00"), "2 jobs")
    invoice = Invoice.objects.get(practice=practice, number="T-0001")
    link = JobInvoiceLink.objects.create(practice=practice, job=done, invoice=invoice)  # invoiced
    assert unbilled_queries(owner_client, htmx)[:2] == (Decimal("50.00"), "1 job")
    link.delete()  # unlinked
    assert unbilled_queries(owner_client, htmx)[:2] == (Decimal("260.00"), "2 jobs")
    later.delete()
    assert unbilled_queries(owner_client, htmx)[:2] == (Decimal("210.00"), "1 job")
    client.delete()  # its jobs go with it
    assert unbilled_queries(owner_client, htmx)[:2] == (Decimal("0.00"), "0 jobs")
    assert unbilled_queries(owner_client, htmx)[2] == 0


def test_unbilled_work_of_a_job_changed_in_a_transaction(
    linked, owner_client, htmx, practice, django_capture_on_commit_callbacks
):
    """Bumped when the job is saved (the transaction's own views see it) and again on commit (a view
    from another connection in between may have cached the old figures under the first bump)."""
    from django.db import transaction

    _connection, client, _contact = linked
    job = JobFactory(client=client, status="in_progress", fee=Decimal("75.00"))
    assert unbilled_queries(owner_client, htmx)[:2] == (Decimal("0.00"), "0 jobs")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        job.status = "completed"
        job.save()
        assert unbilled_queries(owner_client, htmx) == (Decimal("75.00"), "1 job", 1)
        assert unbilled_queries(owner_client, htmx)[2] == 0
    assert callbacks  # the on-commit bump
    assert unbilled_queries(owner_client, htmx) == (Decimal("75.00"), "1 job", 1)  # recomputed


def test_another_practices_jobs_leave_the_cache_alone(linked, owner_client, htmx, practice, other_practice):
    _connection, client, _contact = linked
    JobFactory(client=client, status="completed", fee=Decimal("20.00"))
    unbilled_queries(owner_client, htmx)
    JobFactory(client=CompanyFactory(practice=other_practice), status="completed", fee=Decimal("555.00"))
    assert unbilled_queries(owner_client, htmx) == (Decimal("20.00"), "1 job", 0)
