"""State: persistence to the JSON file, the seeds, the clock and the control API's housekeeping."""

import json
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from xero_sandbox.clock import SandboxClock
from xero_sandbox.seeds import DEMO_TENANT_ID, demo_clients, seed_demo, seed_scale
from xero_sandbox.serializers import invoice_json
from xero_sandbox.state import Store, World


@pytest.fixture
def demo_org():
    world = World()
    seed_demo(world)
    return world.orgs[DEMO_TENANT_ID]


class TestPersistence:
    def test_saved_atomically_and_reloaded(self, settings, tmp_path):
        settings.XERO_SANDBOX_PERSIST = True
        settings.XERO_SANDBOX_STATE_FILE = str(tmp_path / "var" / "xero-sandbox.json")
        first = Store()
        with first.lock:
            world = first.world  # no file yet: seeds the demo
            org = world.orgs[DEMO_TENANT_ID]
            invoice = next(iter(org.invoices.values()))
            invoice.reference = "Saved reference"
        first.save_now()
        path = Path(settings.XERO_SANDBOX_STATE_FILE)
        assert path.exists() and not list(path.parent.glob(".xero-sandbox.json.*")), (
            "no temp file is left behind"
        )
        second = Store()
        reloaded = second.world.orgs[DEMO_TENANT_ID]
        assert reloaded.invoices[invoice.invoice_id].reference == "Saved reference"
        assert invoice_json(reloaded.invoices[invoice.invoice_id], reloaded, with_lines=True) == invoice_json(
            invoice, org, with_lines=True
        )
        assert reloaded.invoice_ids_by_contact == org.invoice_ids_by_contact, "indexes are rebuilt"
        assert second.world.apps.keys() == world.apps.keys()

    def test_changes_are_saved_in_the_background(self, settings, tmp_path):
        settings.XERO_SANDBOX_PERSIST = True
        settings.XERO_SANDBOX_STATE_FILE = str(tmp_path / "state.json")
        store = Store()
        store.boot()
        path = Path(settings.XERO_SANDBOX_STATE_FILE)
        deadline = time.monotonic() + 5
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert json.loads(path.read_text())["version"] == 1

    def test_an_unreadable_file_is_ignored(self, settings, tmp_path):
        settings.XERO_SANDBOX_PERSIST = True
        settings.XERO_SANDBOX_STATE_FILE = str(tmp_path / "state.json")
        Path(settings.XERO_SANDBOX_STATE_FILE).write_text("{not json")
        assert DEMO_TENANT_ID in Store().world.orgs

    def test_nothing_is_written_under_pytest(self, settings, tmp_path):
        settings.XERO_SANDBOX_STATE_FILE = str(tmp_path / "state.json")
        assert settings.XERO_SANDBOX_PERSIST is False
        store = Store()
        store.boot()
        store.save_now()
        assert not Path(settings.XERO_SANDBOX_STATE_FILE).exists()


class TestDemoSeed:
    def test_contacts_follow_the_shared_client_list(self, demo_org):
        clients = demo_clients()
        names = {contact.name for contact in demo_org.contacts.values()}
        by_match = Counter(company["xero"]["match"] for company in clients["companies"])
        exact = [c["name"] for c in clients["companies"] if c["xero"]["match"] == "exact"]
        assert set(exact) <= names
        rough = [c for c in clients["companies"] if c["xero"]["match"] == "rough"]
        assert all(c["xero"]["name"] in names and c["name"] not in names for c in rough)
        renamed = [c for c in clients["companies"] if c["xero"]["match"] == "company_number"]
        for company in renamed:
            contact = next(x for x in demo_org.contacts.values() if x.name == company["xero"]["name"])
            assert contact.company_number == company["company_number"]
        assert not any(c["name"] in names for c in clients["companies"] if c["xero"]["match"] == "none")
        assert by_match["rough"] >= 5 and by_match["company_number"] >= 3
        assert len(clients["companies"]) >= 40 and len(clients["individuals"]) >= 15

    def test_customers_suppliers_and_18_months_in_every_status(self, demo_org):
        contacts = list(demo_org.contacts.values())
        assert sum(c.is_supplier and not c.is_customer for c in contacts) == 6
        assert sum(c.status == "ARCHIVED" for c in contacts) == 1
        statuses = Counter(invoice.status for invoice in demo_org.invoices.values())
        assert set(statuses) == {"DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"}
        dates = [invoice.date for invoice in demo_org.invoices.values()]
        assert (max(dates) - min(dates)).days >= 500
        assert any(i.status == "AUTHORISED" and i.amount_paid for i in demo_org.invoices.values()), (
            "part paid"
        )

    def test_invoice_numbers_are_unique_and_sequential(self, demo_org):
        numbers = sorted(int(i.invoice_number[4:]) for i in demo_org.invoices.values() if i.type == "ACCREC")
        assert numbers == list(range(1, len(numbers) + 1))
        assert demo_org.next_invoice_number == len(numbers) + 1

    def test_seeded_totals_are_consistent(self, demo_org):
        for invoice in demo_org.invoices.values():
            assert invoice.total == invoice.sub_total + invoice.total_tax
            assert invoice.amount_paid == sum((p.amount for p in invoice.payments), Decimal(0))
            assert invoice.amount_due >= 0
            assert (invoice.status == "PAID") == (invoice.fully_paid_on is not None)

    def test_the_seed_is_deterministic(self, demo_org):
        again = World()
        seed_demo(again)
        assert list(again.orgs[DEMO_TENANT_ID].invoices) == list(demo_org.invoices)


class TestScaleSeed:
    def test_large_and_deterministic(self):  # how fast: `make bench`, never a timing assertion
        world = World()
        org = seed_scale(world, contacts=2000, invoices=20_000, seed=7)
        assert (len(org.contacts), len(org.invoices)) == (2000, 20_000)
        again = seed_scale(World(), contacts=2000, invoices=20_000, seed=7)
        assert list(again.invoices)[:50] == list(org.invoices)[:50] and again.tenant_id == org.tenant_id
        assert len({c.name for c in org.contacts.values()}) == 2000

    def test_through_the_control_api(self, xero_sandbox, token_urls):
        from .conftest import make_sdk

        tenant_id = xero_sandbox.seed_scale(contacts=300, invoices=3000, seed=3)
        sdk = make_sdk(xero_sandbox, xero_sandbox.connect(tenants=[tenant_id]))
        page = sdk.accounting.get_invoices(tenant_id, page=3, page_size=1000)
        assert (page.pagination.item_count, len(page.invoices)) == (3000, 1000)


class TestClock:
    def test_offset_and_forward_only(self):
        clock = SandboxClock()
        before = clock.now()
        clock.advance(3600)
        assert clock.offset_seconds == 3600
        assert (clock.now() - before).total_seconds() >= 3600
        with pytest.raises(ValueError):
            clock.advance(-1)
        clock.reset()
        assert clock.offset_seconds == 0

    def test_reset_clears_the_clock(self, xero_sandbox):
        xero_sandbox.advance_clock(days=3)
        xero_sandbox.reset()
        assert xero_sandbox.control("GET", "clock")["offset_seconds"] == 0


class TestControl:
    def test_state_and_empty_reset(self, xero_sandbox):
        state = xero_sandbox.state()
        assert {o["name"] for o in state["organisations"]} == {
            "Engager Demo Practice Ltd",
            "Engager Demo Payroll Bureau Ltd",
        }
        assert (
            state["apps"][0]["client_id"] == xero_sandbox.client_id
            and state["apps"][0]["client_secret"] == "…"
        )
        assert xero_sandbox.reset(seed="empty")["organisations"] == []

    def test_bad_requests_are_explained(self, xero_sandbox):
        with pytest.raises(AssertionError, match="seed must be"):
            xero_sandbox.reset(seed="everything")
        with pytest.raises(AssertionError, match="Payment amount exceeds"):
            invoice = next(i for i in xero_sandbox.invoices() if i["Status"] == "AUTHORISED")
            xero_sandbox.pay_invoice(invoice["InvoiceID"], invoice["AmountDue"] + 1)
        with pytest.raises(AssertionError, match="404"):
            xero_sandbox.pay_invoice("00000000-0000-0000-0000-000000000000")

    def test_only_json_is_accepted(self, xero_sandbox):
        response = requests.post(
            f"{xero_sandbox.base_url}/_control/reset", data={"seed": "empty"}, timeout=10
        )
        assert response.status_code == 415
        assert xero_sandbox.state()["organisations"], "nothing was reset"

    def test_create_records_in_xero(self, xero_sandbox):
        contact = xero_sandbox.create_contact({"Name": "Made In Xero Ltd", "CompanyNumber": "SC123456"})
        invoice = xero_sandbox.create_invoice(
            {
                "Type": "ACCREC",
                "Status": "AUTHORISED",
                "Contact": {"ContactID": contact["ContactID"]},
                "LineItems": [{"Description": "Work", "UnitAmount": "10", "AccountCode": "200"}],
            }
        )
        assert (invoice["Total"], invoice["Contact"]["Name"]) == (12.0, "Made In Xero Ltd")
