"""Tokens never appear in logs (DESIGN §5). Every log record, at DEBUG and from every logger
(urllib3, requests, requests-oauthlib, oauthlib, xero-python, Celery, ours, the sandbox's), is
captured while a practice connects, refreshes its token, syncs and disconnects against the sandbox;
no access token, refresh token, id token, authorization code, PKCE verifier or client secret may
appear in any message, its arguments or an attached traceback."""

import base64
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from integrations.models import XeroConnection, XeroSyncRun
from integrations.xero import oauth
from tests.integrations.conftest import CALLBACK, let_time_pass

pytestmark = pytest.mark.django_db

NOISY_LOGGERS = (
    "urllib3",
    "requests",
    "requests_oauthlib",
    "oauthlib",
    "xero_python",
    "celery",
    "django",
    "integrations",
    "xero_sandbox",
)


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def all_logs():
    """Root and the chattiest libraries at DEBUG, every record kept; levels restored afterwards."""
    handler = Everything()
    root = logging.getLogger()
    loggers = [root, *(logging.getLogger(name) for name in NOISY_LOGGERS)]
    saved = [(logger, logger.level) for logger in loggers]
    root.addHandler(handler)
    try:
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
        yield handler.records
    finally:
        root.removeHandler(handler)
        for logger, level in saved:
            logger.setLevel(level)


@pytest.fixture
def issued(monkeypatch):
    """Every token set the app receives from Xero (including the id token, which it does not keep)."""
    token_sets: list[dict] = []
    original = oauth._token_set

    def recording(token, now):
        token_sets.append(dict(token))
        return original(token, now)

    monkeypatch.setattr(oauth, "_token_set", recording)
    return token_sets


def record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), repr(record.msg)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


def test_connect_refresh_sync_and_disconnect_log_no_secret(
    owner_client, xero_sandbox, all_logs, issued, django_capture_on_commit_callbacks
):
    # Connect through the real flow (authorise, consent, callback with a code), with the first sync.
    start = owner_client.post("/settings/integrations/xero/authorise/")
    verifier = owner_client.session["xero_oauth"]["code_verifier"]
    callback = xero_sandbox.decide(xero_sandbox.consent_page(start["Location"]))
    code = parse_qs(urlsplit(callback).query)["code"][0]
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.get(f"{CALLBACK}?{urlsplit(callback).query}").status_code == 302
    connection = XeroConnection.objects.get()

    # Token refresh (within five minutes of expiry) and an incremental sync, from Sync now.
    let_time_pass(xero_sandbox, connection, minutes=27)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/settings/integrations/xero/sync/")
    assert XeroSyncRun.objects.filter(status="succeeded").count() == 2

    # Disconnect: the connection is deleted at Xero and the grant revoked.
    assert owner_client.post("/settings/integrations/xero/disconnect/").status_code == 302
    assert XeroConnection.objects.get().status == XeroConnection.Status.DISCONNECTED

    kinds = ("access_token", "refresh_token", "id_token")
    assert len(issued) == 2 and all(token_set.get(kind) for token_set in issued for kind in kinds)
    client_pair = f"{settings.XERO_CLIENT_ID}:{settings.XERO_CLIENT_SECRET}".encode()
    secrets = {
        "authorization code": [code],
        "PKCE code verifier": [verifier],
        "client secret": [settings.XERO_CLIENT_SECRET, base64.b64encode(client_pair).decode()],
        **{kind: [token_set[kind] for token_set in issued] for kind in kinds},
    }
    # The capture really saw the HTTP calls of each step (urllib3 logs every request line).
    requests_seen = " ".join(r.getMessage() for r in all_logs if r.name.startswith("urllib3"))
    for path in ("/connect/token", "/api.xro/2.0/Contacts", "/api/Connections/", "/connect/revocation"):
        assert path in requests_seen, f"no request to {path} was logged: is the capture working?"
    leaks = [
        f"{kind} in {record.name} ({record.levelname}): {record.getMessage()[:200]!r}"
        for record in all_logs
        for kind, values in secrets.items()
        for value in values
        if value and value in record_text(record)
    ]
    assert not leaks, "\n".join(leaks)
