"""Browser fixtures: the system Chromium driven by Playwright's sync API against `live_server`.

Nothing here downloads a browser. When /usr/bin/chromium or Playwright is missing, the browser
tests skip with a reason saying so (CI installs Chromium, so they run there).
"""

import os
import re
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


def _skip(reason: str) -> None:
    """Skip, except in CI (.ci/run sets ENGAGER_REQUIRE_ALL_TESTS=1), where the browser must be there."""
    if os.environ.get("ENGAGER_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"{reason} — but ENGAGER_REQUIRE_ALL_TESTS=1 requires the browser tests to run")
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so the page fixture knows if the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser(django_db_setup, live_server):
    """Chromium for the tests in this package, closed after the last one.

    Playwright's sync API keeps an event loop running in the test thread while it is open, so
    Django would refuse ORM calls there (SynchronousOnlyOperation): they are allowed with
    DJANGO_ALLOW_ASYNC_UNSAFE for exactly that time, i.e. for the browser tests only. The test
    database and the live server are set up before the loop starts and torn down after it ends.
    """
    if not CHROMIUM.exists():
        _skip(f"{CHROMIUM} is not installed (apt-get install -y chromium); browser tests skipped")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as exc:
        _skip(f"playwright cannot be imported ({exc}); browser tests skipped")
    expect.set_options(timeout=TIMEOUT_MS)
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def page(live_server, browser, request):
    """A fresh browser context per test; a full-page screenshot in test-results/ if the test fails."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        out = request.config.rootpath / "test-results"
        out.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        path = out / f"{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"\nScreenshot of the failing page: {path} (at {page.url})", file=sys.stderr)
        except Exception as exc:  # a screenshot must never hide the real failure
            print(f"\nCould not take a screenshot: {exc}", file=sys.stderr)
    context.close()


@pytest.fixture
def sandbox_on_live_server(live_server, settings):
    """The sandbox mounted in the live server itself, as in `make run`: the app's Xero settings
    point at it and the demo app's redirect URI is the live server's (registered on reset)."""
    from xero_sandbox.state import store

    base = f"{live_server.url}/{settings.XERO_SANDBOX_PREFIX}"
    settings.XERO_LOGIN_BASE = f"{base}/login"
    settings.XERO_IDENTITY_BASE = f"{base}/identity"
    settings.XERO_API_BASE = f"{base}/api"
    settings.XERO_WEB_BASE = f"{base}/go"
    settings.XERO_REPORTING_BASE = f"{base}/reporting"
    settings.XERO_REDIRECT_URI = f"{live_server.url}/settings/integrations/xero/callback/"
    with store.lock:
        store.reset(seed="demo")
    return store
