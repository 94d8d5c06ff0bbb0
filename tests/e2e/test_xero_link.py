"""Link with Xero in a real browser: a demo company → Link with Xero → the suggested match →
Confirm → Save → the client list shows the Xero icon on it."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.e2e


def test_link_a_demo_company_to_its_suggested_match(page, sandbox_on_live_server):
    from playwright.sync_api import expect

    call_command("seed_demo", verbosity=0)
    page.goto("/login/")
    page.get_by_label("Email address").fill("demo@example.com")
    page.get_by_label("Password").fill("engager-demo")
    page.get_by_role("button", name="Sign in").click()

    # Connect the demo practice to the sandbox's demo organisation (the first sync fills the mirror).
    page.goto("/settings/integrations/xero/")
    page.get_by_role("button", name="Authorise Xero").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#sync-status")).to_contain_text("credit notes updated")

    # Clients → Acme Widgets Ltd → Link with Xero: the dialog opens over the page (htmx).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Acme Widgets Ltd", exact=True).click()
    page.get_by_role("link", name="Link with Xero").first.click()
    dialog = page.get_by_role("dialog", name="Link with Xero")
    expect(dialog).to_be_visible()
    suggestion = dialog.get_by_role("radio", name="Acme Widgets Limited")
    expect(dialog.get_by_text("Acme Widgets Limited")).to_be_visible()
    suggestion.check()
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_text("Link Acme Widgets Ltd to the Xero contact")).to_be_visible()
    dialog.get_by_role("button", name="Save").click()

    expect(
        page.get_by_text("Acme Widgets Ltd is now linked to Acme Widgets Limited in Xero.")
    ).to_be_visible()
    expect(page.locator("#xero-link")).to_contain_text("Acme Widgets Limited")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Acme Widgets Ltd", exact=True))
    expect(row.get_by_text("Linked to Xero")).to_be_attached()
    expect(row.locator("svg.xero-icon")).to_be_visible()
