"""Jobs → Xero and the dashboard's Debtors widget in a real browser, on the demo with the sandbox."""

import re

import pytest
from django.core.management import call_command

from tests.e2e.test_accessibility import Audit

pytestmark = pytest.mark.e2e


def _sign_in_and_connect(page):
    from playwright.sync_api import expect

    call_command("seed_demo", verbosity=0)
    page.goto("/login/")
    page.get_by_label("Email address").fill("demo@example.com")
    page.get_by_label("Password").fill("engager-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/settings/integrations/xero/")
    page.get_by_role("button", name="Authorise Xero").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#sync-status")).to_contain_text("Sync finished")


def test_jobs_menu_xero_lists_the_invoices(page, sandbox_on_live_server):  # noqa: F811
    from playwright.sync_api import expect

    from invoicing.models import Invoice

    _sign_in_and_connect(page)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Jobs", exact=True).click()
    nav.get_by_role("link", name="Xero", exact=True).click()
    expect(page.get_by_role("heading", name="Xero invoices")).to_be_visible()
    newest = Invoice.objects.filter(status="AUTHORISED").order_by("-date", "-pk").first()
    table = page.locator("#xero-invoices table")
    expect(table.get_by_role("link", name=re.compile(re.escape(newest.number))).first).to_be_visible()
    expect(page.locator("#xero-invoices-totals")).to_contain_text("Amount due")
    # Overdue only, through htmx: every row says Overdue.
    page.get_by_label("Overdue only").check()
    expect(page).to_have_url(re.compile(r"overdue=on"))
    rows = table.locator("tbody tr")
    expect(rows.first).to_contain_text("Overdue")
    # Sort by amount due, biggest first (the header toggles).
    table.get_by_role("link", name="Amount due").click()
    expect(page).to_have_url(re.compile(r"sort=amount_due"))
    table.get_by_role("link", name=re.compile("Amount due")).click()
    expect(page).to_have_url(re.compile(r"sort=-amount_due"))
    expect(table.locator('th[aria-sort="descending"]')).to_contain_text("Amount due")
    audit = Audit(page, "xero-invoices")
    audit.check("Jobs → Xero, overdue, sorted")
    audit.assert_clean()


def test_dashboard_debtors_widget_with_its_chart(page, sandbox_on_live_server):  # noqa: F811
    from playwright.sync_api import expect

    _sign_in_and_connect(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    widget = page.locator("#widget-debtors")
    chart = widget.get_by_role("img", name="Aged debtors by days overdue")
    expect(chart).to_be_visible()
    expect(widget.locator("svg rect.bar")).to_have_count(5)
    expect(widget.locator("#debtors-outstanding")).to_contain_text(re.compile(r"GBP [\d,]+\.\d\d"))
    expect(widget.get_by_role("link", name=re.compile("Debtors report"))).to_have_attribute(
        "target", "_blank"
    )
    expect(widget.get_by_role("heading", name="Top debtors")).to_be_visible()
    expect(widget.locator(".debtors-top li")).to_have_count(5)
    expect(page.locator(".widget").filter(has_text="Loading")).to_have_count(0)
    audit = Audit(page, "debtors-widget")
    audit.check("Dashboard with the Debtors widget")
    audit.assert_clean()
