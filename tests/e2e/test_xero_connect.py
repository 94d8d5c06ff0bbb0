"""Settings → Integrations → Xero → Authorise Xero → Allow access on the sandbox → connected."""

import pytest

from core.models import Membership
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.e2e


def test_authorise_xero_in_the_browser(page, sandbox_on_live_server):
    from playwright.sync_api import expect

    owner = MembershipFactory(role=Membership.Role.OWNER, practice__name="Browser & Co").user
    page.goto("/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Integrations").click()
    expect(page.get_by_text("£4.00 per month for all of your clients")).to_be_visible()
    page.get_by_role("link", name="Select Xero").click()
    page.get_by_role("button", name="Authorise Xero").click()

    # Xero's (the sandbox's) consent screen.
    expect(page.get_by_role("heading", name="Engager wants to access your Xero organisation")).to_be_visible()
    demo_org = page.get_by_role("checkbox").first
    demo_org.check()
    org_name = demo_org.locator("xpath=..").inner_text().strip()
    page.get_by_role("button", name="Allow access").click()

    # Back on the card: connected, with the organisation's name, and the sync under way or done.
    expect(page.get_by_text(f"Connected to {org_name}")).to_be_visible()
    card = page.locator("#xero-card")
    expect(card.get_by_text(org_name).first).to_be_visible()
    expect(card.get_by_text("Connected", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Sync now")).to_be_visible()
    expect(page.locator("#sync-status")).to_contain_text("credit notes updated")  # the first, full sync
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#sync-status")).to_contain_text("Everything was already up to date")
