"""Rows: raise invoice under concurrency, and Xero's webhooks under abuse.

- two concurrent submits of the same Raise invoice form (threads, PostgreSQL) → exactly 1 invoice
  in Xero and 1 attempt row;
- webhooks: a bad signature, a missing signature, malformed JSON, a replayed event, an unknown
  tenant → 401, 400 or ignored, nothing stored or fetched wrongly; 1,000 events in a burst → all
  stored once and all processed.

(A timeout after Xero created the invoice, then a resubmit → 1: `tests/invoicing/test_raise.py::
test_a_lost_answer_then_a_retry_makes_exactly_one_invoice`, listed in the README's table.)
"""

import base64
import hashlib
import hmac
import json
import threading
import uuid

import pytest
from django.conf import settings
from django.db import connection as db_connection
from django.db import connections
from django.test import Client as DjangoClient
from hypothesis import given
from hypothesis import strategies as st

from integrations.models import XeroWebhookEvent
from invoicing.models import Invoice, InvoiceRaise
from tests.hostile_input import HOSTILE, assert_no_server_error, draw_form
from tests.invoicing.conftest import linked  # noqa: F401 - a fixture, shared
from tests.invoicing.helpers import form_data, line, raise_url

URL = "/integrations/xero/webhooks/"


def _postgres_only():
    if db_connection.vendor != "postgresql":
        pytest.skip(
            "two truly concurrent submits need PostgreSQL (set DATABASE_URL); SQLite serialises writers"
        )


def sandbox_invoices_for(sandbox, contact) -> list[dict]:
    return [i for i in sandbox.invoices() if i["Contact"]["ContactID"] == contact.contact_id]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_of_the_same_form__exactly_1_invoice(linked, owner, xero_sandbox):  # noqa: F811
    _postgres_only()
    _connection, client, contact = linked
    before = len(sandbox_invoices_for(xero_sandbox, contact))
    data = form_data([line("Submitted twice at once", "1", "321.00")])
    barrier = threading.Barrier(2)
    answers: list = []
    errors: list = []

    def submit():
        browser = DjangoClient()
        browser.force_login(owner)
        try:
            barrier.wait(timeout=10)
            answers.append(browser.post(raise_url(client), data, HTTP_HX_REQUEST="true"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert [a.status_code for a in answers] == [200, 200], [a.content[:300] for a in answers]
    assert len(sandbox_invoices_for(xero_sandbox, contact)) == before + 1
    assert InvoiceRaise.objects.count() == 1
    raised = InvoiceRaise.objects.get()
    assert Invoice.objects.filter(invoice_id=raised.invoice_id).count() == 1


# --- webhooks ------------------------------------------------------------------------------------


def sign(body: bytes, key: str | None = None) -> str:
    key = settings.XERO_WEBHOOK_KEY if key is None else key
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def event(tenant_id: str, resource_id: str, *, category="INVOICE", when="2026-11-26T10:00:00.000") -> dict:
    return {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{resource_id}",
        "resourceId": resource_id,
        "eventDateUtc": when,
        "eventType": "UPDATE",
        "eventCategory": category,
        "tenantId": tenant_id,
        "tenantType": "ORGANISATION",
    }


def post(client, body: bytes, signature: str | None, django_capture_on_commit_callbacks):
    headers = {} if signature is None else {"HTTP_X_XERO_SIGNATURE": signature}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, body, content_type="application/json", **headers)


@pytest.fixture
def paid_invoice(linked, xero_sandbox):  # noqa: F811
    """An invoice of the linked client, mirrored, then paid in Xero (the mirror does not know yet)."""
    connection, _client, _contact = linked
    mirrored = Invoice.objects.filter(tenant_id=connection.tenant_id, status="AUTHORISED").first()
    xero_sandbox.pay_invoice(mirrored.invoice_id)
    return connection, mirrored


def last_seq(sandbox) -> int:
    return max((c["seq"] for c in sandbox.calls()), default=0)


def mirror_state() -> list:
    return list(Invoice.objects.order_by("pk").values_list("pk", "status", "amount_due"))


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["bad signature", "missing signature", "signed with another key"])
def test_webhook_bad_or_missing_signature__401_0_stored_mirror_unchanged(
    client, paid_invoice, case, django_capture_on_commit_callbacks
):
    connection, invoice = paid_invoice
    body = json.dumps({"events": [event(connection.tenant_id, invoice.invoice_id)]}).encode()
    signature = {
        "bad signature": sign(body)[:-4] + "AAA=",
        "missing signature": None,
        "signed with another key": sign(body, key="not-the-key"),
    }[case]
    before = mirror_state()
    answer = post(client, body, signature, django_capture_on_commit_callbacks)
    assert answer.status_code == 401
    assert XeroWebhookEvent.objects.count() == 0
    assert mirror_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"events": "nope"}', b"\xff\xfe", b""])
def test_webhook_malformed_json_signed__400_0_stored(
    client,
    linked,  # noqa: F811
    body,
    django_capture_on_commit_callbacks,
):
    before = mirror_state()
    answer = post(client, body, sign(body), django_capture_on_commit_callbacks)
    assert answer.status_code in (200, 400) and answer.status_code < 500
    assert XeroWebhookEvent.objects.exclude(status=XeroWebhookEvent.Status.IGNORED).count() == 0
    assert mirror_state() == before


@pytest.mark.django_db
def test_webhook_replayed_event__stored_once_processed_once_deliveries_counted(
    client, paid_invoice, xero_sandbox, django_capture_on_commit_callbacks
):
    connection, invoice = paid_invoice
    body = json.dumps({"events": [event(connection.tenant_id, invoice.invoice_id)]}).encode()
    since = last_seq(xero_sandbox)
    for _ in range(3):
        assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200
    stored = XeroWebhookEvent.objects.get()
    assert (stored.status, stored.deliveries) == (XeroWebhookEvent.Status.PROCESSED, 3)
    fetched = [
        c for c in xero_sandbox.calls(area="accounting", since=since) if invoice.invoice_id in c["path"]
    ]
    assert len(fetched) == 1  # the replays fetched nothing again
    invoice.refresh_from_db()
    assert invoice.status == "PAID"


@pytest.mark.django_db
def test_webhook_unknown_tenant__stored_ignored_0_fetched(
    client,
    linked,  # noqa: F811
    xero_sandbox,
    django_capture_on_commit_callbacks,
):
    body = json.dumps({"events": [event(str(uuid.uuid4()), str(uuid.uuid4()))]}).encode()
    since = last_seq(xero_sandbox)
    before = mirror_state()
    assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200
    stored = XeroWebhookEvent.objects.get()
    assert stored.status == XeroWebhookEvent.Status.IGNORED and stored.practice_id is None
    assert xero_sandbox.calls(area="accounting", since=since) == []
    assert mirror_state() == before


@pytest.mark.django_db
def test_webhook_burst_of_1000_events__1000_stored_all_processed_mirror_equals_xero(
    client, paid_invoice, django_capture_on_commit_callbacks
):
    """1,000 events in 10 deliveries of 100 (Xero's batch size): 999 distinct dates for the paid
    invoice plus one for another tenant. Every event ends processed or ignored; none waits."""
    connection, invoice = paid_invoice
    events = [
        event(
            connection.tenant_id, invoice.invoice_id, when=f"2026-11-26T10:{i // 60:02d}:{i % 60:02d}.{i:03d}"
        )
        for i in range(999)
    ] + [event(str(uuid.uuid4()), str(uuid.uuid4()))]
    for start in range(0, 1000, 100):
        body = json.dumps({"events": events[start : start + 100]}).encode()
        assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200
    assert XeroWebhookEvent.objects.count() == 1000
    assert XeroWebhookEvent.objects.filter(status=XeroWebhookEvent.Status.PROCESSED).count() == 999
    assert XeroWebhookEvent.objects.filter(status=XeroWebhookEvent.Status.IGNORED).count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("PAID", 0)


# --- hostile input on batch billing ---------------------------------------------------------------


@pytest.fixture
def billable_jobs(linked):  # noqa: F811
    import datetime as dt
    from decimal import Decimal

    from jobs.models import Job
    from jobs.services import job_create

    _connection, client, _contact = linked
    return [
        job_create(
            client=client,
            job_type=job_type,
            deadline=dt.date.today() + dt.timedelta(days=30),
            status=Job.Status.COMPLETED,
            period_end=dt.date(2026, 3, 31),
            fee=Decimal("100.00"),
        )  # fmt: skip
        for job_type in (Job.JobType.ANNUAL_ACCOUNTS, Job.JobType.PAYROLL)
    ]


@pytest.mark.django_db
@HOSTILE
@given(data=st.data())
def test_batch_billing_form_never_500s(billable_jobs, owner_client, data):
    """Batch billing's preview and Submit (/jobs/billing/): its fields have no Form class, so they
    are fuzzed here: hostile job ids, grouping, status and action → never a 500."""
    valid = {
        "job": [str(job.pk) for job in billable_jobs],
        "grouping": data.draw(st.sampled_from(["client", "job", ""])),
        "invoice_status": data.draw(st.sampled_from(["DRAFT", "AUTHORISED", ""])),
        "action": data.draw(st.sampled_from(["preview", "submit"])),
    }
    values = draw_form(data, valid)
    headers = {"HTTP_HX_REQUEST": "true"} if data.draw(st.booleans()) else {}
    method = data.draw(st.sampled_from(["post", "get"]))
    assert_no_server_error(owner_client, method, "/jobs/billing/", values, **headers)
