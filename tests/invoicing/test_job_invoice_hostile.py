"""Hostile input to Link existing and batch billing (preview and Submit): never a 500."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from invoicing.models import Invoice
from jobs.models import Job
from tests.factories import JobFactory
from tests.hostile_input import HOSTILE, assert_no_server_error, draw_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def billable(linked, practice):
    connection, client, _contact = linked
    job = JobFactory(client=client, status=Job.Status.COMPLETED, fee=Decimal("100.00"))
    invoice = Invoice.objects.create(
        practice=practice, tenant_id=connection.tenant_id, invoice_id="hostile-1", number="H-1", client=client,
        status=Invoice.Status.AUTHORISED, date=timezone.localdate() - dt.timedelta(days=3),
    )  # fmt: skip
    return job, invoice


@HOSTILE
@given(data=st.data())
def test_link_existing_never_500s(billable, owner_client, htmx, data):
    job, invoice = billable
    values = draw_form(data, {"invoice": str(invoice.pk)})
    headers = htmx if data.draw(st.booleans()) else {}
    assert_no_server_error(owner_client, "post", f"/jobs/{job.pk}/invoice/link/", values, **headers)


@HOSTILE
@given(data=st.data())
def test_batch_billing_never_500s(billable, owner_client, htmx, data):
    job, _invoice = billable
    valid = {"job": str(job.pk), "grouping": "client", "invoice_status": "DRAFT", "action": "submit"}
    values = draw_form(data, valid, extra={"action": st.sampled_from(["submit", "preview", ""])})
    method = data.draw(st.sampled_from(["get", "post"]))
    headers = htmx if data.draw(st.booleans()) else {}
    assert_no_server_error(owner_client, method, "/jobs/billing/", values, **headers)
