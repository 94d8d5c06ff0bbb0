"""Webhooks: signed, Xero-shaped, delivered in the background, and the intent-to-receive check."""

import base64
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

KEY = "test-webhook-key-0123456789"


class Receiver:
    """A webhook endpoint like the app's: 200 for a correct signature, 401 otherwise."""

    def __init__(self, *, check_signature: bool = True, fail_first: int = 0) -> None:
        self.received: list[tuple[bytes, str]] = []
        self.check_signature = check_signature
        self.fail_first = fail_first
        self.release = threading.Event()
        self.release.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.release.wait(10)
                signature = self.headers.get("x-xero-signature", "")
                expected = base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode()
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    status = 500
                elif receiver.check_signature and not hmac.compare_digest(signature, expected):
                    status = 401
                else:
                    status = 200
                    receiver.received.append((body, signature))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/integrations/xero/webhooks/"

    def events(self) -> list[dict]:
        return [event for body, _ in self.received for event in json.loads(body)["events"]]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(xero_sandbox):
    receiver = Receiver()
    xero_sandbox.configure_webhooks(url=receiver.url, key=KEY)
    yield receiver
    receiver.close()


def put_contact(sandbox, token, name):
    return requests.put(
        f"{sandbox.accounting_url}/Contacts",
        json={"Contacts": [{"Name": name}]},
        headers={"Authorization": f"Bearer {token}", "xero-tenant-id": sandbox.demo_tenant_id},
        timeout=10,
    )


def test_api_changes_are_delivered_signed_and_xero_shaped(xero_sandbox, receiver):
    token = xero_sandbox.connect()["access_token"]
    created = put_contact(xero_sandbox, token, "Webhook Test Ltd").json()["Contacts"][0]
    assert xero_sandbox.flush_webhooks()
    (body, signature) = receiver.received[0]
    assert signature == base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode()
    payload = json.loads(body)
    assert set(payload) == {"events", "firstEventSequence", "lastEventSequence", "entropy"}
    (event,) = payload["events"]
    assert event == {
        "resourceUrl": f"{xero_sandbox.accounting_url}/Contacts/{created['ContactID']}",
        "resourceId": created["ContactID"],
        "tenantId": xero_sandbox.demo_tenant_id,
        "tenantType": "ORGANISATION",
        "eventCategory": "CONTACT",
        "eventType": "CREATE",
        "eventDateUtc": event["eventDateUtc"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", event["eventDateUtc"])
    assert payload["firstEventSequence"] <= payload["lastEventSequence"]


def test_changes_made_in_xero_raise_webhooks_too(xero_sandbox, receiver):
    invoice = next(i for i in xero_sandbox.invoices() if i["Status"] == "AUTHORISED")
    xero_sandbox.pay_invoice(invoice["InvoiceID"], "1.00")
    contact = xero_sandbox.contacts()[0]
    xero_sandbox.rename_contact(contact["ContactID"], "Renamed In Xero Ltd")
    xero_sandbox.flush_webhooks()
    assert [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in receiver.events()] == [
        ("INVOICE", "UPDATE", invoice["InvoiceID"]),
        ("CONTACT", "UPDATE", contact["ContactID"]),
    ]


def test_delivery_never_blocks_the_change(xero_sandbox, receiver):
    token = xero_sandbox.connect()["access_token"]
    receiver.release.clear()  # the app's endpoint hangs
    response = put_contact(xero_sandbox, token, "Not Blocked Ltd")
    assert response.status_code == 200 and receiver.received == []
    receiver.release.set()
    assert xero_sandbox.flush_webhooks()
    assert [e["eventType"] for e in receiver.events()] == ["CREATE"]


def test_events_by_hand_and_disabled_webhooks(xero_sandbox, receiver):
    invoice_id = xero_sandbox.invoices()[0]["InvoiceID"]
    xero_sandbox.send_webhook(xero_sandbox.demo_tenant_id, "INVOICE", invoice_id)
    xero_sandbox.flush_webhooks()
    assert receiver.events()[0]["resourceUrl"].endswith(f"/Invoices/{invoice_id}")
    xero_sandbox.configure_webhooks(url=receiver.url, enabled=False)
    xero_sandbox.send_webhook(xero_sandbox.demo_tenant_id, "INVOICE", invoice_id)
    xero_sandbox.flush_webhooks()
    assert len(receiver.events()) == 1


def test_failed_deliveries_are_kept_and_can_be_retried(xero_sandbox):
    flaky = Receiver(fail_first=1)
    try:
        xero_sandbox.configure_webhooks(url=flaky.url, key=KEY)
        xero_sandbox.send_webhook(
            xero_sandbox.demo_tenant_id, "CONTACT", xero_sandbox.contacts()[0]["ContactID"]
        )
        xero_sandbox.flush_webhooks()
        (delivery,) = xero_sandbox.webhook_deliveries()
        assert (delivery["ok"], delivery["attempts"][0]["status"]) == (False, 500)
        assert xero_sandbox.control("POST", "webhooks/retry")["retried"] == 1
        xero_sandbox.flush_webhooks()
        (delivery,) = xero_sandbox.webhook_deliveries()
        assert delivery["ok"] and [a["status"] for a in delivery["attempts"]] == [500, 200]
    finally:
        flaky.close()


def test_intent_to_receive_passes_for_a_correct_endpoint(xero_sandbox, receiver):
    result = xero_sandbox.intent_to_receive()
    assert result["ok"] is True
    assert [(check["expected"], check["status"]) for check in result["checks"]] == [
        (200, 200),
        (401, 401),
        (401, 401),
    ]
    assert all(check["empty_body"] for check in result["checks"])


def test_intent_to_receive_fails_an_endpoint_that_ignores_signatures(xero_sandbox):
    careless = Receiver(check_signature=False)
    try:
        result = xero_sandbox.intent_to_receive(url=careless.url, key=KEY)
        assert result["ok"] is False
        assert [check["ok"] for check in result["checks"]] == [True, False, False]
    finally:
        careless.close()


def test_intent_to_receive_reports_an_unreachable_endpoint(xero_sandbox):
    result = xero_sandbox.intent_to_receive(url="http://127.0.0.1:9/nowhere", key=KEY)
    assert result["ok"] is False and result["checks"][0]["error"]
