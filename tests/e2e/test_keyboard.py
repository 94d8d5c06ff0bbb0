"""Keyboard only: the walkthrough's main path with Tab, Shift+Tab, Enter, Space and Escape — no mouse.

Sign in → Settings → Integrations → Select Xero → Authorise Xero → Allow access (the sandbox's
consent page) → Clients → a company → Link with Xero → the suggested match → Confirm → Save.
Every control reached on our pages must show a visible focus indicator (:focus-visible).
"""

import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

pytestmark = pytest.mark.e2e

MAX_TABS = 80
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute('type') || '',
        name: (el.getAttribute('aria-label') || label || el.innerText || el.value || '').replace(/\\s+/g, ' ').trim(),
        focusVisible: el.matches(':focus-visible'),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    };
}"""


def _tab_to(
    page, name: str, *, exact: bool = True, back: bool = False, kind: str | None = None, ours: bool = True
):
    """Press Tab (Shift+Tab with `back`) until the control called `name` has focus; on our pages it
    must show a visible focus indicator."""
    key = "Shift+Tab" if back else "Tab"
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        seen.append(focused["name"][:40])
        matches = focused["name"] == name if exact else focused["name"].startswith(name)
        if matches and (kind is None or kind in (focused["tag"], focused["type"])):
            if ours:
                assert focused["focusVisible"] and focused["outline"], (
                    f"no visible focus on {name!r}: {focused}"
                )
            return focused
    raise AssertionError(f"{key} never reached {name!r}; focus went through: {seen}")


def _follow(page, key: str = "Enter") -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_the_focus_style_is_in_the_stylesheet():
    css = (django_settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    rule = re.search(r"(?m)^:focus-visible\s*\{([^}]*)\}", css)
    assert rule and "outline" in rule.group(1), "app.css needs a visible :focus-visible outline"


def test_link_a_client_to_xero_with_the_keyboard_alone(page, sandbox_on_live_server):
    from playwright.sync_api import expect

    call_command("seed_demo", verbosity=0)
    keyboard = page.keyboard

    # Sign in: the email field has focus when the page opens.
    page.goto("/login/")
    expect(page.get_by_label("Email address")).to_be_focused()
    keyboard.type("demo@example.com")
    keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    keyboard.type("engager-demo")
    _follow(page)
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # The skip link comes first, then the menu: Settings → Integrations → Select Xero → Authorise Xero.
    _tab_to(page, "Skip to content")
    _tab_to(page, "Settings")
    _follow(page)
    expect(page.get_by_role("heading", name="Practice profile")).to_be_visible()
    _tab_to(page, "Integrations")
    _follow(page)
    _tab_to(page, "Select Xero")
    _follow(page)
    _tab_to(page, "Authorise Xero", kind="button")
    _follow(page)

    # Xero's (the sandbox's) consent page: the first organisation ticked (Space, unless it already
    # is), then Allow access.
    expect(page.get_by_role("heading", name="Engager wants to access your Xero organisation")).to_be_visible()
    _tab_to(page, "", exact=False, kind="checkbox", ours=False)
    if not page.get_by_role("checkbox").first.is_checked():
        keyboard.press("Space")
    expect(page.get_by_role("checkbox").first).to_be_checked()
    _tab_to(page, "Allow access", kind="button", ours=False)
    _follow(page)
    expect(page.locator("#sync-status")).to_contain_text("updated")

    # Clients → Acme Widgets Ltd.
    _tab_to(page, "Clients")
    _follow(page)
    expect(page.get_by_role("heading", name="Clients", level=1)).to_be_visible()
    _tab_to(page, "Acme Widgets Ltd")
    _follow(page)
    expect(page.get_by_role("heading", name="Acme Widgets Ltd", level=1)).to_be_visible()

    # Link with Xero opens the dialog with focus inside; Escape closes it and focus comes back.
    link_with_xero = page.locator(".page-head").get_by_role("link", name="Link with Xero")
    _tab_to(page, "Link with Xero")
    keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Link with Xero")
    expect(dialog.get_by_role("heading", name="Link with Xero")).to_be_focused()
    keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(link_with_xero).to_be_focused()
    keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name="Link with Xero")).to_be_focused()

    # The suggested match (Space ticks it), Tab on to Confirm and Shift+Tab back, then Confirm.
    _tab_to(page, "Acme Widgets Limited", exact=False, kind="radio")
    keyboard.press("Space")
    expect(dialog.get_by_role("radio", name="Acme Widgets Limited")).to_be_checked()
    _tab_to(page, "Confirm", kind="button")
    _tab_to(page, "Acme Widgets Limited", exact=False, kind="radio", back=True)
    _tab_to(page, "Confirm", kind="button")
    keyboard.press("Enter")
    expect(dialog.get_by_text("Link Acme Widgets Ltd to the Xero contact")).to_be_visible()
    expect(dialog.get_by_role("heading", name="Link with Xero")).to_be_focused()
    _tab_to(page, "Save", kind="button")
    _follow(page)

    expect(
        page.get_by_text("Acme Widgets Ltd is now linked to Acme Widgets Limited in Xero.")
    ).to_be_visible()
    expect(page.locator("#xero-link")).to_contain_text("Acme Widgets Limited")


def test_raise_an_invoice_with_the_keyboard_alone(page, sandbox_on_live_server):
    """Invoice History → Raise invoice → fill in a line → Submit, with Tab, typing and Enter."""
    from playwright.sync_api import expect

    from clients.models import Client
    from integrations import services
    from integrations.models import XeroContact

    call_command("seed_demo", verbosity=0)
    page.goto("/login/")
    page.get_by_label("Email address").fill("demo@example.com")
    page.get_by_label("Password").fill("engager-demo")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/settings/integrations/xero/")
    page.get_by_role("button", name="Authorise Xero").click()
    page.get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#sync-status")).to_contain_text("updated")
    client = Client.objects.get(name="Brightwater Plumbing Ltd")
    contact = XeroContact.objects.get(practice=client.practice, name=client.name)
    services.xero_contact_link(
        practice=client.practice, client=client, contact=contact, user=None, verify=False
    )
    page.goto(client.get_absolute_url())  # the keyboard-only part starts here
    keyboard = page.keyboard

    _tab_to(page, "Invoice History")
    _follow(page)
    expect(page.get_by_role("heading", name="Invoice History")).to_be_visible()
    _tab_to(page, "Raise invoice")
    _follow(page)
    expect(page.get_by_role("heading", name="Raise invoice")).to_be_visible()
    for label, value in [
        ("Description, line 1", "Keyboard only"),
        ("Quantity, line 1", "2"),
        ("Unit price, line 1", "150"),
        ("Account, line 1", "200"),  # type-ahead in the select: "200 · Sales"
    ]:
        _tab_to(page, label)
        keyboard.type(value)
    expect(page.get_by_label("Account, line 1")).to_have_value("200")
    # Typed key by key, each keystroke starts a totals request: the newest must win (it once left
    # the totals stale at 0.00 when an older answer landed on a box already replaced).
    expect(page.locator("#invoice-subtotal")).to_have_text("300.00")
    _tab_to(page, "Submit", kind="button")
    _follow(page)
    expect(page.get_by_text(re.compile(r"Invoice INV-\d+ was raised in Xero"))).to_be_visible()
