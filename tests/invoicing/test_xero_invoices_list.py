"""Jobs → Xero: the firm's Xero invoices from the mirror (issue 11 item 6)."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.models import XeroConnection, XeroContact
from invoicing import firm_selectors
from invoicing.mirror_version import mirror_changed
from invoicing.models import CreditNote, Invoice, JobInvoiceLink
from tests.factories import CompanyFactory, JobFactory
from tests.invoicing.test_history import mirror, xero_invoice

pytestmark = pytest.mark.django_db

LIST = "/jobs/xero/"
CSV = "/jobs/xero/export.csv"


def numbers(html: str) -> list[str]:
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r">(T-\d{4}|INV-\d+)<", table)


def get(owner_client, query="", **headers) -> str:
    answer = owner_client.get(LIST + query, **headers)
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.fixture(autouse=True)
def _fresh_mirror_version(practice):
    """The totals are cached (a real cache: locmem, or Redis under REDIS_URL) under the practice's
    mirror version; on SQLite a rolled-back practice's pk comes back in the next test, so each test
    starts from a version no earlier test cached anything under."""
    mirror_changed(practice.pk)


@pytest.fixture
def book(linked, practice, companies):
    """A small, known mirror: (connection, client, contact, jobs)."""
    connection, client, contact = linked
    Invoice.objects.filter(practice=practice).delete()
    CreditNote.objects.filter(practice=practice).delete()
    mirror(connection, [
        xero_invoice(contact, 1, days_ago=60, due_in=30, due="100.00"),  # overdue
        xero_invoice(contact, 2, days_ago=5, due_in=30, due="40.00"),  # due later
        xero_invoice(contact, 3, days_ago=90, due_in=30, status="PAID", due="0.00"),
        xero_invoice(contact, 4, days_ago=2, due_in=30, status="DRAFT", due="100.00"),
        xero_invoice(contact, 5, days_ago=20, due_in=30, status="VOIDED", due="0.00"),
        xero_invoice(contact, 6, days_ago=10, due_in=30, status="DELETED", due="0.00"),
    ])  # fmt: skip
    job = JobFactory(client=client, status="completed")
    JobInvoiceLink.objects.create(practice=practice, job=job, invoice=Invoice.objects.get(number="T-0002"))
    return connection, client, contact, job


def test_in_the_jobs_menu(owner_client, linked):
    html = owner_client.get("/").content.decode()
    menu = re.search(r'<div class="dropdown-menu">(.*?)</div>', html, re.S).group(1)
    assert f'<a href="{LIST}">Xero</a>' in menu


def test_default_is_outstanding_newest_first_with_links(book, owner_client, xero_sandbox):
    connection, client, _contact, job = book
    html = get(owner_client)
    assert numbers(html) == ["T-0002", "T-0001"]
    rows = {n: row for row in html.split("<tr") for n in re.findall(r">(T-\d{4})<", row)}
    assert "Overdue" in rows["T-0001"] and "Overdue" not in rows["T-0002"]
    assert f'<a href="/clients/{client.pk}/invoices/">{client.name}</a>' in rows["T-0001"]
    assert f'<a href="{job.get_absolute_url()}">{job.reference}</a>' in rows["T-0002"]
    invoice = Invoice.objects.get(number="T-0001")
    assert re.search(
        r'href="[^"]+InvoiceID%3D' + invoice.invoice_id + '" target="_blank" rel="noopener"', rows["T-0001"]
    )
    assert "Sync now" in html and "Updated" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=all", ["T-0004", "T-0002", "T-0005", "T-0001", "T-0003"]),  # not deleted
        ("?status=paid", ["T-0003"]),
        ("?status=draft", ["T-0004"]),
        ("?status=voided", ["T-0005"]),
        ("?status=bogus", ["T-0002", "T-0001"]),  # unknown → the default
        ("?overdue=on", ["T-0001"]),
        ("?status=all&linked=yes", ["T-0002"]),
        ("?status=all&linked=no", ["T-0004", "T-0005", "T-0001", "T-0003"]),
        ("?status=all&date_from={d30}", ["T-0004", "T-0002", "T-0005"]),
        ("?status=all&date_to={d30}", ["T-0001", "T-0003"]),
        ("?status=all&date_from={d30}&date_to={d3}", ["T-0002", "T-0005"]),
        ("?status=all&date_from=nonsense", ["T-0004", "T-0002", "T-0005", "T-0001", "T-0003"]),
    ],
)
def test_filters(book, owner_client, query, expected):
    today = timezone.localdate()
    query = query.format(
        d30=(today - dt.timedelta(days=30)).isoformat(), d3=(today - dt.timedelta(days=3)).isoformat()
    )
    assert numbers(get(owner_client, query)) == expected


def test_client_search(book, owner_client, practice, companies):
    connection, client, contact, _job = book
    other = CompanyFactory(practice=practice, name="Zephyr Kites Ltd")
    Invoice.objects.create(
        practice=practice, tenant_id=connection.tenant_id, invoice_id="z-1", number="T-0099", client=other,
        contact_name="Zephyr Kites Ltd", status="AUTHORISED", date=timezone.localdate(),
        due_date=timezone.localdate(), total=Decimal("5.00"), amount_due=Decimal("5.00"),
    )  # fmt: skip
    assert numbers(get(owner_client, "?q=zephyr")) == ["T-0099"]
    assert numbers(get(owner_client, "?q=" + client.name[:6].lower())) == ["T-0002", "T-0001"]
    # The Xero contact's name too (as the mirror of contacts has it), for invoices of no client.
    unlinked = XeroContact.objects.create(
        practice=practice,
        tenant_id=connection.tenant_id,
        contact_id="c-zephyr",
        name="Unlinked Zephyr Contact",
    )
    Invoice.objects.filter(number="T-0099").update(client=None, contact=unlinked)
    assert numbers(get(owner_client, "?q=unlinked zephyr")) == ["T-0099"]
    # Renamed in Xero (the next contacts sync): the search follows, the cached totals too.
    XeroContact.objects.filter(pk=unlinked.pk).update(name="Renamed Kites Contact")
    html = get(owner_client, "?q=unlinked zephyr")
    assert numbers(html) == []
    assert numbers(get(owner_client, "?q=renamed kites")) == ["T-0099"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("number", ["T-0001", "T-0002", "T-0003", "T-0004", "T-0005"]),
        ("-number", ["T-0005", "T-0004", "T-0003", "T-0002", "T-0001"]),
        ("date", ["T-0003", "T-0001", "T-0005", "T-0002", "T-0004"]),
        ("due_date", ["T-0003", "T-0001", "T-0005", "T-0002", "T-0004"]),
        ("-total", None),  # all equal: a stable order (by pk) and no error
        ("amount_due", ["T-0003", "T-0005", "T-0002", "T-0001", "T-0004"]),
        ("status", ["T-0001", "T-0002", "T-0004", "T-0003", "T-0005"]),
        ("-jobs", ["T-0002"]),  # the linked invoice first
        ("client", None),
        ("contact", None),
        ("id; DROP TABLE x", ["T-0004", "T-0002", "T-0005", "T-0001", "T-0003"]),  # not whitelisted
    ],
)
def test_sort_by_any_column(book, owner_client, sort, expected):
    shown = numbers(get(owner_client, f"?status=all&sort={sort}"))
    assert len(shown) == 5
    if expected:
        assert shown[: len(expected)] == expected


def test_sort_headers_toggle_and_say_aria_sort(book, owner_client):
    html = get(owner_client, "?status=all&sort=date")
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="\?status=all&amp;sort=-date"', html)
    assert 'href="?status=all&amp;sort=number"' in html


def test_totals_line_and_pagination(book, owner_client, htmx):
    connection, _client, contact, _job = book
    mirror(connection, [xero_invoice(contact, n, days_ago=n, due="1.50") for n in range(100, 160)])
    html = get(owner_client)
    # 62 outstanding: 140 + 60 × 1.50 due; 62 × 100 total
    assert re.search(
        r"<strong>62</strong> invoices · Total <strong>GBP 6,200.00</strong> · Amount due <strong>GBP 230.00</strong>",
        html,
    )
    assert "Page 1 of 2 · 62 in all" in html and len(numbers(html)) == 50
    page2 = get(owner_client, "?page=2", **htmx)
    assert len(numbers(page2)) == 12 and page2.lstrip().startswith('<div id="xero-invoices"')
    overdue = get(owner_client, "?overdue=on")
    # T-0001 and the 60 new ones (all past due); not T-0002
    assert (
        "<strong>61</strong> invoices · Total <strong>GBP 6,100.00</strong> · Amount due <strong>GBP 190.00</strong>"
        in overdue
    )


def test_csv_export_is_streamed_and_injection_safe(book, owner_client, practice):
    connection, _client, contact, job = book
    mirror(connection, [
        xero_invoice(contact, 7, days_ago=1, reference="=HYPERLINK(\"http://evil\")", due="9.99"),
        xero_invoice(contact, 8, days_ago=1, reference="+cmd|' /C calc'!A0", due="1.00"),
        xero_invoice(contact, 9, days_ago=1, reference="-2+3", due="1.00"),
        xero_invoice(contact, 10, days_ago=1, reference="@SUM(A1)", due="1.00"),
    ])  # fmt: skip
    answer = owner_client.get(CSV)
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Type"].startswith("text/csv")
    assert answer["Content-Disposition"].startswith('attachment; filename="xero-invoices-')
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0][:3] == ["Number", "Client", "Contact"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {"T-0001", "T-0002", "T-0007", "T-0008", "T-0009", "T-0010"}  # outstanding
    references = {by_number[n][3] for n in ("T-0007", "T-0008", "T-0009", "T-0010")}
    assert references == {'\'=HYPERLINK("http://evil")', "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)"}
    assert by_number["T-0002"][10] == job.reference and by_number["T-0001"][6] == "Overdue"
    assert by_number["T-0001"][8:10] == ["100.00", "100.00"]
    filtered = owner_client.get(CSV + "?status=all&linked=yes")
    rows = list(csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == ["T-0002"]


def test_csv_reads_in_chunks(book, owner_client, monkeypatch):
    from invoicing import firm_selectors

    connection, _client, contact, _job = book
    mirror(connection, [xero_invoice(contact, n, days_ago=n % 200) for n in range(100, 130)])
    monkeypatch.setattr(firm_selectors, "CSV_CHUNK", 7)
    with CaptureQueriesContext(db_connection) as queries:
        rows = b"".join(owner_client.get(CSV).streaming_content).decode().splitlines()
    assert len(rows) == 1 + 32
    invoice_reads = [q for q in queries if 'FROM "invoicing_invoice"' in q["sql"] and "LIMIT" not in q["sql"]]
    assert invoice_reads, "the rows are read with iterator()"


def test_not_connected(owner_client):
    html = get(owner_client)
    assert "once Xero is connected" in html and "<table" not in html
    answer = owner_client.get(CSV)
    assert b"".join(answer.streaming_content).decode().splitlines() == [
        "Number,Client,Contact,Reference,Date,Due date,Status,Currency,Total,Amount due,Linked jobs"
    ]


def test_hostile_names_and_references_are_escaped(book, owner_client):
    connection, _client, contact, _job = book
    Invoice.objects.filter(number="T-0001").update(contact_name='<script>alert("x")</script>')
    html = get(owner_client)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_sync_now(book, owner_client, xero_sandbox, htmx, django_capture_on_commit_callbacks):
    connection, client, contact, _job = book
    made = xero_sandbox.create_invoice({
        "Type": "ACCREC", "Contact": {"ContactID": contact.contact_id}, "Status": "AUTHORISED",
        "LineItems": [{"Description": "Made in Xero", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}],
    })  # fmt: skip
    made = made.get("Invoices", [made])[0]
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_client.post("/jobs/xero/sync/", **htmx)
    assert answer.status_code == 200
    assert made["InvoiceNumber"] in get(owner_client, "?status=all")


def test_no_xero_calls_and_a_fixed_number_of_queries(book, owner_client, xero_sandbox, htmx, practice):
    connection, client, contact, _job = book

    def measure(query):
        with CaptureQueriesContext(db_connection) as queries:
            get(owner_client, query, **htmx)
        return len(queries)

    xero_sandbox.clear_calls()
    queries = ["", "?status=all&linked=no&sort=-jobs", "?overdue=on&q=bright&date_from=2020-01-01"]
    few = [measure(q) for q in queries]
    mirror(connection, [xero_invoice(contact, n, days_ago=n % 300) for n in range(100, 220)])
    for invoice in Invoice.objects.filter(number__gte="T-0100")[:30]:
        JobInvoiceLink.objects.create(practice=practice, job=JobFactory(client=client), invoice=invoice)
    assert [measure(q) for q in queries] == few
    assert xero_sandbox.calls(area="accounting") == []


def test_another_practices_invoices_never_appear(book, owner_client, other_practice):
    connection, _client, _contact, _job = book
    Invoice.objects.create(
        practice=other_practice, tenant_id=connection.tenant_id, invoice_id="other-1", number="T-0777",
        contact_name="Rival", status="AUTHORISED", date=timezone.localdate(),
        due_date=timezone.localdate(), total=Decimal("5.00"), amount_due=Decimal("5.00"),
    )  # fmt: skip
    assert "T-0777" not in get(owner_client, "?status=all")
    assert "T-0777" not in b"".join(owner_client.get(CSV + "?status=all").streaming_content).decode()


def test_only_the_connected_organisation(book, owner_client):
    connection, *_rest = book
    XeroConnection.objects.filter(pk=connection.pk).update(tenant_id="another-tenant")
    assert numbers(get(owner_client, "?status=all")) == []


# --- the cached totals ---------------------------------------------------------------------------

TOTALS = re.compile(r'<p class="totals-line" id="xero-invoices-totals"><strong>(\d+)</strong> invoices?')


def count(owner_client, query="") -> int:
    return int(TOTALS.search(get(owner_client, query)).group(1))


def queries(owner_client, query="") -> int:
    with CaptureQueriesContext(db_connection) as captured:
        get(owner_client, query)
    return len(captured)


def test_totals_are_cached_until_the_mirror_changes(book, owner_client, practice):
    connection, _client, contact, _job = book
    get(owner_client, "?status=draft")  # the session's first request does more than the page
    first = queries(owner_client, "?status=all")
    assert queries(owner_client, "?status=all") == first - 1  # the aggregate comes from the cache
    assert queries(owner_client, "?status=all&sort=number") == first - 1  # the sort is not in the key
    assert count(owner_client, "?status=all") == 5
    mirror(connection, [xero_invoice(contact, 7, days_ago=1)])  # a sync, a webhook or a raise
    assert count(owner_client, "?status=all") == 6
    assert count(owner_client, "?status=all&linked=no") == 5


def test_totals_follow_jobs_linked_and_unlinked(book, owner_client, practice, owner):
    from invoicing.services.job_links import job_invoice_unlink, job_invoices_link

    _connection, client, _contact, job = book
    assert (count(owner_client, "?linked=yes"), count(owner_client, "?linked=no")) == (1, 1)
    other = JobFactory(client=client)
    overdue = Invoice.objects.get(number="T-0001")
    job_invoices_link(
        practice=practice, job=other, invoice_ids=[overdue.pk], user=owner, today=timezone.localdate()
    )
    assert (count(owner_client, "?linked=yes"), count(owner_client, "?linked=no")) == (2, 0)
    link = JobInvoiceLink.objects.get(job=other)
    assert job_invoice_unlink(practice=practice, job=other, link_id=link.pk)
    assert (count(owner_client, "?linked=yes"), count(owner_client, "?linked=no")) == (1, 1)


def test_totals_follow_jobs_linked_by_a_raise_or_a_batch(book, owner_client, practice, owner):
    """Raise and batch billing link their jobs through raising.jobs_link (after mirroring the
    invoice, which bumps the version too): the link alone must be enough."""
    from invoicing.services.raising import jobs_link

    _connection, client, _contact, _job = book
    assert count(owner_client, "?linked=no") == 1
    jobs_link(
        practice=practice,
        invoice=Invoice.objects.get(number="T-0001"),
        jobs=[JobFactory(client=client)],
        user=owner,
    )
    assert count(owner_client, "?linked=no") == 0


def test_search_totals_follow_a_client_rename(book, owner_client, practice):
    connection, client, _contact, _job = book
    other = CompanyFactory(practice=practice, name="Zephyr Kites Ltd")
    Invoice.objects.create(
        practice=practice, tenant_id=connection.tenant_id, invoice_id="z-1", number="T-0099", client=other,
        contact_name="Kite Contact", status="AUTHORISED", date=timezone.localdate(),
        due_date=timezone.localdate(), total=Decimal("5.00"), amount_due=Decimal("5.00"),
    )  # fmt: skip
    mirror_changed(practice.pk)  # as the mirror's upsert does
    assert count(owner_client, "?q=zephyr") == 1
    other.name = "Aeolus Kites Ltd"
    other.save()  # no mirror write: the matching clients are part of the key
    assert count(owner_client, "?q=zephyr") == 0
    assert numbers(get(owner_client, "?q=aeolus")) == ["T-0099"]
    assert count(owner_client, "?q=aeolus") == 1
    assert count(owner_client, "?q=kite contact") == 0  # the contact's name is the mirrored contact's


def test_search_matches_any_number_of_clients(book, owner_client, practice):
    """A search naming many clients (one array parameter on PostgreSQL, an IN list elsewhere)."""
    connection, _client, _contact, _job = book
    clients = [CompanyFactory(practice=practice, name=f"Common Name {n} Ltd") for n in range(60)]
    Invoice.objects.bulk_create(
        Invoice(
            practice=practice, tenant_id=connection.tenant_id, invoice_id=f"c-{n}", number=f"T-{1000 + n}",
            client=c, contact_name="Someone", status="AUTHORISED", date=timezone.localdate(),
            due_date=timezone.localdate(), total=Decimal("1.00"), amount_due=Decimal("1.00"),
        )
        for n, c in enumerate(clients)
    )  # fmt: skip
    mirror_changed(practice.pk)
    assert count(owner_client, "?q=common name") == 60
    assert count(owner_client, "?q=no such client") == 0


@pytest.mark.parametrize(
    "value", ["0.00", "-0.50", "1.00", "999.99", "1000.00", "-1234.56", "1234567.89", "12345678901.20"]
)
def test_money_is_what_floatformat_2g_shows(value):
    from django.template.defaultfilters import floatformat

    assert firm_selectors.money(Decimal(value)) == floatformat(Decimal(value), "2g")


@pytest.mark.parametrize("day", [dt.date(2026, 1, 1), dt.date(2026, 9, 30), dt.date(1999, 12, 31), None])
def test_dates_are_what_the_date_filter_shows(day):
    from django.template.defaultfilters import date

    assert firm_selectors.day_month_year(day) == (date(day, "j M Y") if day else "")


def test_dates_with_the_pages_month_names():
    from django.template.defaultfilters import date

    months = firm_selectors._month_names()
    for day in (dt.date(2026, 1, 1), dt.date(2026, 5, 31), dt.date(2026, 12, 9)):
        assert firm_selectors.day_month_year(day, months) == date(day, "j M Y")


# --- the rows, written in Python ------------------------------------------------------------------

# What the template wrote for each row before InvoiceRow.html: the page must not change.
ROW_TEMPLATE = """{% for row in rows %}{% with invoice=row.invoice %}
      <tr class="{% if row.overdue %}row-overdue{% endif %}">
        <td class="nowrap">{% if row.xero_url %}<a href="{{ row.xero_url }}" target="_blank" rel="noopener">{{ invoice.number|default:"(no number)" }}<span class="visually-hidden"> (opens in Xero in a new window)</span></a>{% else %}{{ invoice.number|default:"(no number)" }}{% endif %}</td>
        <td>{% if row.client_url %}<a href="{{ row.client_url }}">{{ invoice.client.name }}</a>{% else %}<span class="muted">Not linked</span>{% endif %}</td>
        <td>{{ invoice.contact_name }}</td>
        <td class="nowrap">{{ row.date }}</td>
        <td class="nowrap">{{ row.due_date|default:"—" }}</td>
        <td>{% if row.overdue %}<span class="pill pill-danger">Overdue</span>{% else %}{{ row.status_label }}{% endif %}</td>
        <td class="num">{{ row.total }}</td>
        <td class="num">{{ row.amount_due }}</td>
        <td>{% for job in row.jobs %}<a href="{{ job.url }}">{{ job.reference }}</a>{% if not forloop.last %}, {% endif %}{% empty %}<span class="muted">—</span>{% endfor %}</td>
      </tr>{% endwith %}
    {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("short_code", ["!AbC1", ""])
def test_rows_are_what_the_template_wrote(book, owner_client, practice, short_code):
    from django.template import engines

    connection, client, _contact, job = book
    XeroConnection.objects.filter(pk=connection.pk).update(short_code=short_code)
    hostile = CompanyFactory(practice=practice, name='Tom & "Jerry" <b>Ltd</b>')
    today = timezone.localdate()
    odd = dict(practice=practice, tenant_id=connection.tenant_id, total=Decimal("1234.5"), date=today)
    Invoice.objects.bulk_create([
        Invoice(**odd, invoice_id="a&b=c d", number="", client=hostile, contact_name="<script>x</script>",
                status="AUTHORISED", due_date=today - dt.timedelta(days=3), amount_due=Decimal("0.5")),
        Invoice(**odd, invoice_id="plain", number="INV-<1>", client=None, contact_name="O'Brien & Sons",
                status="SUBMITTED", due_date=None, amount_due=Decimal("-7")),
    ])  # fmt: skip
    second = JobFactory(client=client, status="completed")
    JobInvoiceLink.objects.create(practice=practice, job=second, invoice=Invoice.objects.get(number="T-0002"))
    mirror_changed(practice.pk)
    listing = firm_selectors.firm_invoice_list(
        practice=practice, filters=firm_selectors.Filters(status="all")
    )
    assert len(listing.rows) == 7 and any(len(row.jobs) == 2 for row in listing.rows)
    expected = engines["django"].from_string(ROW_TEMPLATE).render({"rows": listing.rows})
    assert "".join(row.html for row in listing.rows) == expected
    page = get(owner_client, "?status=all")
    assert expected in page and "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_url_helpers_are_reverse_and_xero_invoice_url():
    from django.urls import reverse

    from invoicing.selectors import xero_invoice_url

    client_url = firm_selectors.url_for_pk("invoicing:history")
    for pk in (1, 42, firm_selectors.URL_SENTINEL, 10**12):
        assert client_url(pk) == reverse("invoicing:history", args=[pk])
    xero_url = firm_selectors.xero_invoice_url_for("!Ab C&1")
    for invoice_id in ("00000000-0000-4000-8000-000000000001", "a&b=c d/é", ""):
        assert xero_url(invoice_id) == xero_invoice_url(short_code="!Ab C&1", invoice_id=invoice_id)
    assert firm_selectors.xero_invoice_url_for("")("x") == xero_invoice_url(short_code="", invoice_id="x")


def test_search_sends_the_ids_as_the_columns_type(book, practice):
    """On PostgreSQL `client_id = ANY('{…}'::bigint[])`: one text parameter (psycopg2's ARRAY[…] of
    700 ids costs 3.5 ms to send and parse) of the column's type (with an integer[] PostgreSQL
    searches the array element by element for every invoice, where it hashes a bigint[])."""
    connection, client, _contact, _job = book
    invoices = firm_selectors.firm_invoices(
        practice=practice, tenant_id=connection.tenant_id, filters=firm_selectors.Filters(q="zzz"),
        matches=firm_selectors.SearchMatches(client_ids=(client.pk,), contact_pks=()),
    )  # fmt: skip
    sql, params = invoices.query.sql_with_params()
    if db_connection.vendor == "postgresql":
        assert sql.count("= ANY(%s::bigint[])") == 2 and f"{{{client.pk}}}" in params and "{}" in params
    else:
        assert " IN (" in sql
    assert sorted(invoices.values_list("number", flat=True)) == ["T-0001", "T-0002"]
