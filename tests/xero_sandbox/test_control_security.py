"""The control API, even in demo mode: loopback (or a control token) only, no secrets over the
network, webhooks only to the app itself, and a clock that cannot be broken."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings

from xero_sandbox import webhooks
from xero_sandbox.state import store

CONTROL = f"/{django_settings.XERO_SANDBOX_PREFIX}/_control"
REMOTE = {"REMOTE_ADDR": "203.0.113.7"}
TOKEN = "a-control-token-for-the-test-0123456789"


@pytest.fixture
def sandbox_state():
    """A fresh demo world, webhooks off (as the xero_sandbox fixture does, without its server)."""
    with store.lock:
        store.reset(seed="demo").webhook.url = None
    yield
    with store.lock:
        store.reset(seed="demo").webhook.url = None


@pytest.fixture
def no_outbound(monkeypatch):
    """Fails the test if the sandbox tries to send any HTTP request."""
    sent = []

    def refuse(url, *args, **kwargs):
        sent.append(url)
        raise AssertionError(f"The sandbox sent a request to {url}")

    monkeypatch.setattr(webhooks.requests, "post", refuse)
    return sent


def post(client, path: str, payload, **extra):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(f"{CONTROL}/{path}", body, content_type="application/json", **extra)


# --- who may use it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [("get", "state"), ("get", "apps"), ("post", "reset"), ("post", "clock")]
)
def test_callers_off_this_machine_are_refused_with_a_reason(client, sandbox_state, method, path):
    if method == "get":
        response = client.get(f"{CONTROL}/{path}", **REMOTE)
    else:
        response = post(client, path, {}, **REMOTE)

    assert response.status_code == 403
    assert "answers only callers on this machine" in response.json()["error"]
    assert "engager-demo-client-secret" not in response.content.decode()


def test_a_request_relayed_by_a_local_proxy_is_not_a_local_caller(client, sandbox_state):
    response = client.get(f"{CONTROL}/state", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert response.status_code == 403


def test_loopback_callers_are_answered(client, sandbox_state):
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert client.get(f"{CONTROL}/state", REMOTE_ADDR=address).status_code == 200


def test_a_remote_caller_with_the_control_token_is_answered_but_never_shown_secrets(
    client, sandbox_state, settings
):
    settings.XERO_SANDBOX_CONTROL_TOKEN = TOKEN

    wrong = client.get(f"{CONTROL}/apps", HTTP_X_SANDBOX_CONTROL_TOKEN=TOKEN[:-1] + "x", **REMOTE)
    right = client.get(f"{CONTROL}/apps", HTTP_X_SANDBOX_CONTROL_TOKEN=TOKEN, **REMOTE)

    assert wrong.status_code == 403
    assert right.status_code == 200
    assert {app["client_secret"] for app in right.json()["apps"]} == {"…"}
    assert django_settings.XERO_CLIENT_SECRET not in right.content.decode()


def test_without_a_configured_token_an_empty_token_header_does_not_open_it(client, sandbox_state, settings):
    settings.XERO_SANDBOX_CONTROL_TOKEN = ""

    response = client.get(f"{CONTROL}/state", HTTP_X_SANDBOX_CONTROL_TOKEN="", **REMOTE)

    assert response.status_code == 403


def test_loopback_callers_see_the_demo_apps_secret(client, sandbox_state):
    apps = client.get(f"{CONTROL}/apps").json()["apps"]

    assert django_settings.XERO_CLIENT_SECRET in {app["client_secret"] for app in apps}


# --- webhooks go only to the app --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5:22/",
        "http://192.0.2.10/integrations/xero/webhooks/",
        "https://attacker.example/hook",
        "http://127.0.0.2:6379/",
        "http://evil.example\\@127.0.0.1/",
        "http://user@127.0.0.1:8000/",
        "http://127.0.0.1:8000/\nX-Injected: 1",
        "ftp://127.0.0.1/",
        "http://[/",
        "http://127.0.0.1:99999/",
        "",
        42,
        ["http://127.0.0.1/"],
    ],
)
def test_webhook_targets_other_than_the_app_are_refused(client, sandbox_state, no_outbound, url):
    configured = post(client, "webhooks", {"url": url})
    checked = post(client, "webhooks/intent-to-receive", {"url": url, "key": "k"})

    assert configured.status_code == 400 and configured.json()["error"]
    assert checked.status_code == 400 and checked.json()["error"]
    assert store.world.webhook.url is None
    assert no_outbound == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8123/integrations/xero/webhooks/",
        "http://localhost:8123/integrations/xero/webhooks/",
        "http://[::1]:8123/integrations/xero/webhooks/",
        "https://engager.example.com/integrations/xero/webhooks/",
        "https://engager.example.com:443/integrations/xero/webhooks/",
    ],
)
def test_the_apps_own_url_and_loopback_are_accepted(client, sandbox_state, settings, url):
    settings.SITE_URL = "https://engager.example.com"

    response = post(client, "webhooks", {"url": url, "key": "k"})

    assert response.status_code == 200, response.content
    assert store.world.webhook.url == url


def test_the_apps_host_on_another_port_is_refused(client, sandbox_state, settings, no_outbound):
    settings.SITE_URL = "https://engager.example.com"

    response = post(client, "webhooks", {"url": "https://engager.example.com:8443/"})

    assert response.status_code == 400


class Redirector:
    """A loopback endpoint that answers every POST with a redirect to `location`."""

    def __init__(self, location: str = "") -> None:
        self.hits = 0
        redirector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                redirector.hits += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(307 if location else 200)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_intent_to_receive_check_never_follows_a_redirect(client, sandbox_state):
    elsewhere = Redirector()
    redirecting = Redirector(location=elsewhere.url)
    try:
        response = post(client, "webhooks/intent-to-receive", {"url": redirecting.url, "key": "k"})
    finally:
        redirecting.close()
        elsewhere.close()

    assert response.status_code == 200
    assert redirecting.hits == 3  # the three checks
    assert elsewhere.hits == 0
    assert [check["status"] for check in response.json()["checks"]] == [307, 307, 307]


# --- the clock --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"days": 3_000_000}, "at most 3660 days"),
        ({"seconds": 10**400}, "too large"),
        ('{"days": Infinity}', "too large"),
        ('{"hours": NaN}', "too large"),
        ({"days": "3"}, "days must be a number"),
        ({"minutes": True}, "minutes must be a number"),
        ({"days": None}, "days must be a number"),
        ({"days": -1}, "only moves forward"),
    ],
)
def test_clock_moves_are_validated_and_bounded(client, sandbox_state, payload, reason):
    response = post(client, "clock", payload)

    assert response.status_code == 400
    assert reason in response.json()["error"]
    # Nothing moved, and the sandbox still answers.
    assert client.get(f"{CONTROL}/clock").json()["offset_seconds"] == pytest.approx(0, abs=1)
    assert client.get(f"{CONTROL}/state").status_code == 200


def test_the_clock_moves_up_to_ten_years_in_total(client, sandbox_state):
    assert post(client, "clock", {"days": 3000}).status_code == 200
    assert post(client, "clock", {"days": 660}).status_code == 200

    response = post(client, "clock", {"days": 1})

    assert response.status_code == 400
    assert "at most 3660 days" in response.json()["error"]
    assert client.get(f"{CONTROL}/state").status_code == 200
