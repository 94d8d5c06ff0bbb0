"""Xero's webhooks: signature on the raw body, intent-to-receive, storing, dedupe, processing."""

import base64
import hashlib
import hmac
import json
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from integrations.models import XeroContact, XeroWebhookEvent
from integrations.services import webhooks
from invoicing.models import Invoice

URL = "/integrations/xero/webhooks/"
Status = XeroWebhookEvent.Status


def sign(body: bytes, key: str | None = None) -> str:
    key = settings.XERO_WEBHOOK_KEY if key is None else key
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def body_for(*events) -> bytes:
    return json.dumps(
        {
            "events": list(events),
            "firstEventSequence": 1,
            "lastEventSequence": len(events),
            "entropy": "ABCDEF",
        }
    ).encode()


def event(tenant_id, category, resource_id, event_type="UPDATE", at="2026-01-05T10:00:00.123"):
    return {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{resource_id}",
        "resourceId": resource_id,
        "tenantId": tenant_id,
        "tenantType": "ORGANISATION",
        "eventCategory": category,
        "eventType": event_type,
        "eventDateUtc": at,
    }


def post(client, body: bytes, signature: str | None, capture):
    headers = {} if signature is None else {"HTTP_X_XERO_SIGNATURE": signature}
    with capture(execute=True):
        return client.post(URL, data=body, content_type="application/json", **headers)


def open_invoice(sandbox) -> dict:
    return next(
        i
        for i in sandbox.invoices()
        if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED" and Decimal(str(i["AmountPaid"])) == 0
    )


def invoice_fetches(sandbox, invoice_id, since=0) -> list[dict]:
    return [
        c for c in sandbox.calls(area="accounting", since=since) if invoice_id.lower() in c["path"].lower()
    ]


@pytest.fixture
def connected(connect):
    return connect()


@pytest.mark.django_db
def test_a_valid_signature_is_stored_answered_fast_and_processed(
    connected, xero_sandbox, client, django_capture_on_commit_callbacks
):
    invoice = open_invoice(xero_sandbox)
    xero_sandbox.pay_invoice(invoice["InvoiceID"])  # "in Xero"; the mirror still says unpaid
    assert Invoice.objects.get(invoice_id=invoice["InvoiceID"]).status == "AUTHORISED"
    body = body_for(event(connected.tenant_id, "INVOICE", invoice["InvoiceID"]))

    response = post(client, body, sign(body), django_capture_on_commit_callbacks)

    assert response.status_code == 200 and response.content == b""
    assert not response.cookies
    stored = XeroWebhookEvent.objects.get()
    assert (stored.tenant_id, stored.category, stored.event_type) == (
        connected.tenant_id,
        "INVOICE",
        "UPDATE",
    )
    assert stored.resource_id == invoice["InvoiceID"] and stored.payload["resourceId"] == invoice["InvoiceID"]
    assert stored.status == Status.PROCESSED and stored.processed_at and stored.attempts == 1
    assert stored.practice_id == connected.practice_id and stored.event_date.year == 2026
    mirrored = Invoice.objects.get(invoice_id=invoice["InvoiceID"])
    assert mirrored.status == "PAID" and mirrored.amount_due == 0


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["wrong key", "missing", "body altered", "empty", "not base64"])
def test_a_bad_or_missing_signature_gets_401_and_nothing_is_stored_or_fetched(
    how, connected, xero_sandbox, client, django_capture_on_commit_callbacks
):
    invoice = open_invoice(xero_sandbox)
    xero_sandbox.pay_invoice(invoice["InvoiceID"])
    body = body_for(event(connected.tenant_id, "INVOICE", invoice["InvoiceID"]))
    signature = {
        "wrong key": sign(body, key=settings.XERO_WEBHOOK_KEY + "x"),
        "missing": None,
        "body altered": sign(body),
        "empty": "",
        "not base64": "é" * 44,
    }[how]
    if how == "body altered":
        body = body.replace(b'"entropy": "ABCDEF"', b'"entropy": "ABCDEG"')
    seq = xero_sandbox.calls()[-1]["seq"]

    response = post(client, body, signature, django_capture_on_commit_callbacks)

    assert response.status_code == 401
    assert not XeroWebhookEvent.objects.exists()
    assert not invoice_fetches(xero_sandbox, invoice["InvoiceID"], since=seq)
    assert Invoice.objects.get(invoice_id=invoice["InvoiceID"]).status == "AUTHORISED"


@pytest.mark.django_db
def test_webhooks_only_take_posts(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_the_signature_is_compared_in_constant_time():
    body = body_for()
    with mock.patch.object(webhooks.hmac, "compare_digest", wraps=hmac.compare_digest) as compare:
        assert webhooks.xero_webhook_signature_valid(body=body, signature=sign(body))
        assert not webhooks.xero_webhook_signature_valid(body=body, signature=sign(body, key="other"))
    assert compare.call_count == 2


@pytest.mark.django_db
def test_no_signing_key_configured_refuses_everything(settings, client, django_capture_on_commit_callbacks):
    body = body_for()
    signature = sign(body, key="")
    settings.XERO_WEBHOOK_KEY = ""
    assert post(client, body, signature, django_capture_on_commit_callbacks).status_code == 401


@pytest.mark.django_db
def test_intent_to_receive(client, django_capture_on_commit_callbacks):
    body = body_for()  # Xero's check: no events, signed correctly or not
    assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200
    assert (
        post(client, body, sign(body, key="not-the-key"), django_capture_on_commit_callbacks).status_code
        == 401
    )
    assert not XeroWebhookEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_intent_to_receive_check_passes(xero_sandbox, live_server):
    result = xero_sandbox.intent_to_receive(url=f"{live_server.url}{URL}", key=settings.XERO_WEBHOOK_KEY)
    assert result["ok"], result


@pytest.mark.django_db
def test_a_duplicate_delivery_is_harmless(
    connected, xero_sandbox, client, django_capture_on_commit_callbacks
):
    invoice = open_invoice(xero_sandbox)
    xero_sandbox.pay_invoice(invoice["InvoiceID"])
    body = body_for(event(connected.tenant_id, "INVOICE", invoice["InvoiceID"]))
    seq = xero_sandbox.calls()[-1]["seq"]

    for _ in range(2):
        assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200
    # Xero re-sends the same event in a new delivery (a new entropy, so a new body and signature).
    again = body.replace(b"ABCDEF", b"QWERTY")
    assert post(client, again, sign(again), django_capture_on_commit_callbacks).status_code == 200

    stored = XeroWebhookEvent.objects.get()
    assert stored.deliveries == 3 and stored.status == Status.PROCESSED and stored.attempts == 1
    assert len(invoice_fetches(xero_sandbox, invoice["InvoiceID"], since=seq)) == 1
    assert Invoice.objects.filter(invoice_id=invoice["InvoiceID"]).count() == 1


@pytest.mark.django_db
def test_events_for_an_unknown_tenant_are_stored_and_ignored(
    connected, xero_sandbox, client, django_capture_on_commit_callbacks
):
    invoice = open_invoice(xero_sandbox)
    stranger = str(uuid.uuid4())
    body = body_for(event(stranger, "INVOICE", invoice["InvoiceID"]))
    seq = xero_sandbox.calls()[-1]["seq"]

    assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200

    stored = XeroWebhookEvent.objects.get()
    assert stored.status == Status.IGNORED and stored.practice is None and "No practice" in stored.error
    assert stored.attempts == 0 and stored.processed_at  # ignored on arrival, never queued
    assert not invoice_fetches(xero_sandbox, invoice["InvoiceID"], since=seq)
    # Even if processing were asked for it, nothing is fetched for a tenant nobody is connected to.
    XeroWebhookEvent.objects.update(status=Status.PENDING)
    webhooks.xero_webhook_events_process(event_ids=[stored.pk])
    stored.refresh_from_db()
    assert stored.status == Status.IGNORED
    assert not invoice_fetches(xero_sandbox, invoice["InvoiceID"], since=seq)


@pytest.mark.django_db
def test_a_contact_event_updates_the_contact_mirror(
    connected, xero_sandbox, client, django_capture_on_commit_callbacks
):
    contact = xero_sandbox.contacts()[0]
    xero_sandbox.rename_contact(contact["ContactID"], "Renamed By Webhook Ltd")
    body = body_for(event(connected.tenant_id, "CONTACT", contact["ContactID"]))
    assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200
    assert XeroContact.objects.get(contact_id=contact["ContactID"]).name == "Renamed By Webhook Ltd"


@pytest.mark.django_db
def test_xero_down_while_processing_shows_the_error_and_is_retried(
    connected, xero_sandbox, client, django_capture_on_commit_callbacks
):
    invoice = open_invoice(xero_sandbox)
    xero_sandbox.pay_invoice(invoice["InvoiceID"])
    xero_sandbox.inject_fault(status=503, path=f"/Invoices/{invoice['InvoiceID']}", count=None)
    body = body_for(event(connected.tenant_id, "INVOICE", invoice["InvoiceID"]))

    assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200

    stored = XeroWebhookEvent.objects.get()
    assert stored.status == Status.PENDING and stored.attempts == 1 and "not answering" in stored.error
    # Beat's sweep queues events still waiting a while later; Xero is back by then.
    xero_sandbox.clear_faults()
    XeroWebhookEvent.objects.update(received_at=timezone.now() - webhooks.REQUEUE_AFTER * 2)
    from integrations.tasks import sync_all_xero

    sync_all_xero.apply()
    stored.refresh_from_db()
    assert stored.status == Status.PROCESSED and stored.attempts == 2 and stored.error == ""
    assert Invoice.objects.get(invoice_id=invoice["InvoiceID"]).status == "PAID"


@pytest.mark.django_db
def test_a_resource_gone_from_xero_is_ignored_with_a_reason(
    connected, xero_sandbox, client, django_capture_on_commit_callbacks
):
    body = body_for(event(connected.tenant_id, "INVOICE", str(uuid.uuid4())))
    assert post(client, body, sign(body), django_capture_on_commit_callbacks).status_code == 200
    stored = XeroWebhookEvent.objects.get()
    assert stored.status == Status.IGNORED and "no longer" in stored.error


@pytest.mark.django_db(transaction=True)
def test_an_invoice_paid_in_xero_shows_as_paid_with_no_manual_sync(
    connect, xero_sandbox, live_server, settings
):
    connection = connect()
    xero_sandbox.configure_webhooks(url=f"{live_server.url}{URL}", key=settings.XERO_WEBHOOK_KEY)
    invoice = open_invoice(xero_sandbox)

    xero_sandbox.pay_invoice(invoice["InvoiceID"])  # in Xero: the sandbox posts a signed webhook

    assert xero_sandbox.flush_webhooks()
    deliveries = xero_sandbox.webhook_deliveries()
    assert deliveries and deliveries[-1]["attempts"][-1]["status"] == 200, deliveries
    mirrored = Invoice.objects.get(invoice_id=invoice["InvoiceID"], tenant_id=connection.tenant_id)
    assert mirrored.status == "PAID" and mirrored.amount_due == 0
