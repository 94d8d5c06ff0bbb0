"""The Content-Security-Policy in a real browser: htmx still works and Chromium reports no violation."""

import re

import pytest

from core.models import Membership
from tests.factories import PASSWORD, CompanyFactory, JobFactory, MembershipFactory, PracticeFactory

pytestmark = pytest.mark.e2e


def test_htmx_works_under_the_policy_and_nothing_is_blocked(page):
    from playwright.sync_api import expect

    practice = PracticeFactory(name="Policy & Co")
    owner = MembershipFactory(practice=practice, role=Membership.Role.OWNER).user
    for name in ["Harbour Lights Ltd", "Quayside Rope Works Ltd"]:
        JobFactory(client=CompanyFactory(practice=practice, name=name), practice=practice)
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)  # fmt: skip

    page.goto("/login/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    # The widgets arrive by htmx (hx-trigger="load").
    expect(page.locator("#widget-deadlines")).to_contain_text("Harbour Lights Ltd")

    # The live search (hx-trigger "input changed delay:300ms from:input[type=search]") swaps the table.
    page.goto("/clients/")
    page.get_by_role("searchbox").fill("Quayside")
    expect(page.locator("#client-table")).not_to_contain_text("Harbour Lights Ltd")
    expect(page.locator("#client-table")).to_contain_text("Quayside Rope Works Ltd")

    # An invalid htmx form comes back as a partial and keeps what was typed.
    page.goto("/settings/")
    page.get_by_label(re.compile("^Name")).fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()

    for path in ["/jobs/", "/settings/users/new/", "/settings/integrations/xero/", "/settings/billing/"]:
        page.goto(path)
        expect(page.locator("main")).to_be_visible()

    assert not violations, violations
