"""XERO_TOKEN_KEY changed or lost: the stored tokens cannot be decrypted. The practice is told to
reconnect (never a 500), can still disconnect, and the daily check flags instead of crashing."""

import pytest
from cryptography.fernet import Fernet

from integrations.models import XeroActivity, XeroConnection, XeroSyncRun
from integrations.tasks import check_all_xero_connections, check_xero_connection

pytestmark = pytest.mark.django_db

XERO_PAGE = "/settings/integrations/xero/"


def lose_the_key(connection: XeroConnection) -> None:
    """The tokens stay as they were, but were encrypted with a key Engager no longer has."""
    other_key = Fernet(Fernet.generate_key())
    XeroConnection.objects.filter(pk=connection.pk).update(
        access_token_encrypted=other_key.encrypt(b"old-access-token").decode(),
        refresh_token_encrypted=other_key.encrypt(b"old-refresh-token").decode(),
    )
    connection.refresh_from_db()


def assert_flagged(connection: XeroConnection) -> None:
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.NEEDS_RECONNECT
    assert "XERO_TOKEN_KEY" in connection.last_error and "Reconnect Xero" in connection.last_error


def test_sync_now_with_unreadable_tokens_flags_the_connection(
    connect, owner_client, htmx, django_capture_on_commit_callbacks
):
    connection = connect()
    lose_the_key(connection)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/settings/integrations/xero/sync/", **htmx)
    assert response.status_code == 200
    run = XeroSyncRun.objects.order_by("-created_at", "-pk").first()
    assert run.status == XeroSyncRun.Status.FAILED and "reconnect" in run.message
    assert_flagged(connection)

    card = owner_client.get(XERO_PAGE).content.decode()
    assert "Needs reconnecting" in card and "Reconnect Xero</button>" in card
    assert "encryption key (XERO_TOKEN_KEY) was changed or lost" in card
    assert "Xero needs you to reconnect" in owner_client.get("/clients/").content.decode()  # the banner


def test_opening_the_xero_page_notices_unreadable_tokens(connect, owner_client, xero_sandbox):
    connection = connect()
    lose_the_key(connection)
    xero_sandbox.clear_calls()
    card = owner_client.get(XERO_PAGE).content.decode()
    assert "Needs reconnecting" in card and "Reconnect Xero</button>" in card
    assert_flagged(connection)
    assert xero_sandbox.calls() == []  # a local check: the page did not call Xero


@pytest.mark.parametrize("flagged_first", [False, True], ids=["still-active", "already-flagged"])
def test_disconnect_still_works_and_says_xero_could_not_be_told(connect, owner_client, flagged_first):
    connection = connect()
    lose_the_key(connection)
    if flagged_first:
        owner_client.get(XERO_PAGE)
    response = owner_client.post("/settings/integrations/xero/disconnect/", follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Xero could not be told" in body and "Disconnected from" in body
    connection.refresh_from_db()
    assert connection.status == XeroConnection.Status.DISCONNECTED
    assert connection.access_token_encrypted == connection.refresh_token_encrypted == ""


def test_the_daily_check_flags_instead_of_crashing(connect):
    connection = connect()
    lose_the_key(connection)
    assert check_xero_connection.delay(connection.pk).get() is False
    assert_flagged(connection)
    assert XeroActivity.objects.filter(action="connection_lost", outcome="failure").exists()
    assert check_all_xero_connections.delay().get() == 0  # flagged: no longer checked daily


def test_reconnecting_after_the_key_was_lost_works(connect, owner_client):
    connection = connect()
    lose_the_key(connection)
    owner_client.get(XERO_PAGE)
    connection = connect()  # Reconnect runs the same flow
    assert connection.status == XeroConnection.Status.ACTIVE
    assert XeroSyncRun.objects.order_by("-created_at", "-pk").first().status == XeroSyncRun.Status.SUCCEEDED
    replaced = XeroActivity.objects.get(action="connection_replaced")
    assert replaced.outcome == "failure" and "could not be read" in replaced.detail
