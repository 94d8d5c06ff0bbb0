"""The OAuth callback is reachable by any link an attacker can get a manager to click: it must never
show text from its query string, and only a callback carrying our `state` may change anything."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.utils.html import escape

from integrations.models import PendingXeroGrant, XeroConnection
from tests.integrations.conftest import CALLBACK

pytestmark = pytest.mark.django_db

MARKER = "ATTACKER-TEXT-7f3a"
HOSTILE = f'<script>alert("{MARKER}")</script><img src=x onerror=alert(1)> Call 0800 {MARKER}'


def _start(owner_client) -> str:
    owner_client.post("/settings/integrations/xero/authorise/")
    return owner_client.session["xero_oauth"]["state"]


def _shown(owner_client, query: str) -> str:
    response = owner_client.get(f"{CALLBACK}?{query}", follow=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("access_denied", "You cancelled on Xero&#x27;s screen, so nothing was connected."),
        ("invalid_scope", "Xero did not grant the permissions Engager needs."),
        ("server_error", "Xero had a problem, so nothing was connected."),
        ("invalid_request", "Xero did not authorise Engager. Nothing was connected; try again."),
        (HOSTILE, "Xero did not authorise Engager. Nothing was connected; try again."),
    ],
)
def test_error_callback_shows_only_our_own_words(owner_client, error, expected):
    state = _start(owner_client)
    body = _shown(owner_client, f"error={quote(error)}&error_description={quote(HOSTILE)}&state={state}")
    assert expected in body
    # Neither the raw text nor its escaped form: nothing from the query string is shown at all.
    assert MARKER not in body and escape(HOSTILE) not in body
    assert "xero_oauth" not in owner_client.session  # our state came back: the attempt is over
    assert not XeroConnection.objects.exists() and not PendingXeroGrant.objects.exists()


@pytest.mark.parametrize("state", ["", "state=forged", "state=", f"state={quote(HOSTILE)}"])
def test_forged_error_callback_neither_echoes_nor_cancels(owner_client, state):
    pending = _start(owner_client)
    saved = owner_client.session["xero_oauth"]
    body = _shown(owner_client, f"error=access_denied&error_description={quote(HOSTILE)}&{state}")
    assert "could not be verified" in body
    assert "You cancelled" not in body
    assert MARKER not in body
    assert owner_client.session["xero_oauth"] == saved and saved["state"] == pending


def test_forged_callbacks_do_not_stop_the_real_one(
    owner_client, xero_sandbox, django_capture_on_commit_callbacks
):
    """A forged `?error=access_denied` (and a forged code) arrive while the manager is on Xero's
    screen; the real callback that follows still connects."""
    start = owner_client.post("/settings/integrations/xero/authorise/")
    callback = xero_sandbox.decide(xero_sandbox.consent_page(start["Location"]))
    real = parse_qs(urlsplit(callback).query)
    assert real["state"][0] == owner_client.session["xero_oauth"]["state"]

    _shown(owner_client, "error=access_denied")
    _shown(owner_client, "error=access_denied&state=guess")
    _shown(owner_client, f"code=forged&state=guess&error_description={quote(HOSTILE)}")

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.get(f"{CALLBACK}?{urlsplit(callback).query}")
    assert response.status_code == 302
    assert XeroConnection.objects.get().status == XeroConnection.Status.ACTIVE
    assert "xero_oauth" not in owner_client.session
    # Replaying the real callback now is refused: the state was single use.
    body = _shown(owner_client, urlsplit(callback).query)
    assert "could not be verified" in body
