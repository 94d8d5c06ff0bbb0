"""Invoices on the real Celery worker (Redis), against the sandbox over HTTP: the sync with a 429
mid-way, and a webhook from the sandbox processed by the worker with no manual sync."""

import pytest
from django.conf import settings as django_settings

from integrations.models import XeroSyncRun, XeroWebhookEvent
from integrations.services import xero_sync_request
from invoicing.models import CreditNote, Invoice
from tests.worker.conftest import wait_for
from tests.worker.test_xero_worker import calls_to, connected, fast_retries, finished  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_first_sync_on_the_worker_mirrors_invoices_and_credit_notes(connected, xero_sandbox):  # noqa: F811
    in_xero = [i for i in xero_sandbox.invoices() if i["Type"] == "ACCREC"]
    assert Invoice.objects.filter(tenant_id=connected.tenant_id).count() == len(in_xero)
    assert CreditNote.objects.filter(tenant_id=connected.tenant_id).exists()


def test_a_429_on_invoices_is_retried_by_the_worker(connected, xero_sandbox, practice):  # noqa: F811
    xero_sandbox.clear_calls()
    xero_sandbox.inject_fault(status=429, path="/Invoices", count=1, retry_after=1)
    run, created = xero_sync_request(practice=practice)
    assert created
    finished(run)
    assert run.status == XeroSyncRun.Status.SUCCEEDED, run.message
    assert run.retries == 1
    assert [c["status"] for c in calls_to(xero_sandbox, "/Invoices")] == [429, 200]


def test_a_webhook_is_processed_by_the_worker(connected, xero_sandbox, live_server):  # noqa: F811
    xero_sandbox.configure_webhooks(
        url=f"{live_server.url}/integrations/xero/webhooks/", key=django_settings.XERO_WEBHOOK_KEY
    )
    invoice = next(
        i for i in xero_sandbox.invoices() if i["Type"] == "ACCREC" and i["Status"] == "AUTHORISED"
    )
    xero_sandbox.pay_invoice(invoice["InvoiceID"])
    assert xero_sandbox.flush_webhooks()

    def paid():
        return Invoice.objects.filter(invoice_id=invoice["InvoiceID"], status="PAID").exists()

    wait_for(paid)
    event = XeroWebhookEvent.objects.get(resource_id=invoice["InvoiceID"])
    assert event.status == XeroWebhookEvent.Status.PROCESSED
