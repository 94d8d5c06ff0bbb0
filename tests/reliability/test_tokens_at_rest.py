"""Row: tokens at rest → a dump of every table holds 0 plaintext access, refresh or id tokens.

After connect + refresh + sync, every token the sandbox issued to Engager (collected on the way in,
where the app reads the token endpoint's answer) is searched for in: every model's rows serialised
as `dumpdata` would (apps.get_models(), auto-created through tables included), every table read raw
(so a table without a model is not missed), and every session decoded.
"""

from unittest import mock

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import serializers
from django.db import connection as db

from integrations.models import XeroSyncRun
from integrations.xero import oauth
from tests.integrations.conftest import let_time_pass

pytestmark = pytest.mark.django_db


def _database_dump() -> dict[str, str]:
    """What each model and table holds, as text."""
    dump = {}
    for model in apps.get_models(include_auto_created=True):
        dump[model._meta.label] = serializers.serialize("json", model._base_manager.all())
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # names from introspection, not input
            dump[f"table {table}"] = repr(cursor.fetchall())
    for session in Session.objects.all():
        dump[f"session {session.pk}"] = repr(session.get_decoded())
    return dump


def test_after_connect_refresh_sync__0_plaintext_tokens_in_any_table(
    connect, xero_sandbox, owner_client, django_capture_on_commit_callbacks
):
    issued: list[dict] = []
    real_token_set = oauth._token_set

    def collect(token, now):
        issued.append(dict(token))
        return real_token_set(token, now)

    with mock.patch.object(oauth, "_token_set", collect):
        connection = connect()  # exchange: access, refresh and id token
        let_time_pass(xero_sandbox, connection, minutes=31)  # expired: the sync refreshes first
        with django_capture_on_commit_callbacks(execute=True):
            assert owner_client.post("/settings/integrations/xero/sync/").status_code < 500
    assert XeroSyncRun.objects.order_by("-pk").first().status == XeroSyncRun.Status.SUCCEEDED

    secrets = {
        (kind, token[kind]) for token in issued for kind in ("access_token", "refresh_token", "id_token")
    }
    kinds = {kind for kind, _ in secrets}
    assert kinds == {"access_token", "refresh_token", "id_token"} and len(issued) >= 2  # connect + refresh
    # A JWT's signature alone is as unique as the whole token: a stored fragment is caught too.
    needles = {(kind, value) for kind, value in secrets} | {
        (f"{kind} signature", value.rsplit(".", 1)[-1]) for kind, value in secrets if value.count(".") == 2
    }
    dump = _database_dump()
    found = [(where, kind) for where, text in dump.items() for kind, value in needles if value in text]
    assert found == [], f"plaintext tokens at rest: {found}"  # the figure: 0
