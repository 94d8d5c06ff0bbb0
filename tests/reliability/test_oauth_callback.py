"""Row: the OAuth callback under attack or failure → a clear message, 0 tokens stored.

Wrong state, missing state, a replayed code, `error=access_denied`, the token endpoint answering 500.
Every case comes from a real consent on the sandbox's screen, so the code in the callback is one
Xero really issued: only Engager's checks stand between it and a stored token.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from integrations.models import PendingXeroGrant, XeroConnection
from tests.integrations.conftest import CALLBACK

pytestmark = pytest.mark.django_db

NOT_VERIFIED = "could not be verified"
CASES = {
    "wrong-state": NOT_VERIFIED,
    "missing-state": NOT_VERIFIED,
    "replayed-code": "used already",
    "access-denied": "You cancelled on Xero&#x27;s screen, so nothing was connected.",
    "token-endpoint-500": "Xero is not answering",
}


def consent(owner_client, sandbox, *, allow: bool = True) -> dict[str, str]:
    """Click Authorise Xero and answer Xero's screen; the query Xero sends back to the callback."""
    start = owner_client.post("/settings/integrations/xero/authorise/")
    callback = sandbox.decide(sandbox.consent_page(start["Location"]), allow=allow)
    return {name: values[0] for name, values in parse_qs(urlsplit(callback).query).items()}


def stored_tokens() -> set:
    return set(XeroConnection.objects.values_list("access_token_encrypted", "refresh_token_encrypted"))


def token_calls(sandbox) -> list[dict]:
    return [c for c in sandbox.calls(area="identity") if c["path"].endswith("/connect/token")]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_oauth_callback__clear_message_0_tokens_stored(owner_client, xero_sandbox, case):
    before = set()
    if case == "replayed-code":
        first = consent(owner_client, xero_sandbox)
        owner_client.get(f"{CALLBACK}?{urlencode(first)}")  # the real callback connects
        before = stored_tokens()
        assert len(before) == 1
        query = {"code": first["code"], "state": consent(owner_client, xero_sandbox)["state"]}
    elif case == "access-denied":
        query = consent(owner_client, xero_sandbox, allow=False)
        assert query["error"] == "access_denied"
    else:
        query = consent(owner_client, xero_sandbox)
        if case == "wrong-state":
            query["state"] = "forged-" + query["state"][::-1]
        elif case == "missing-state":
            del query["state"]
        elif case == "token-endpoint-500":
            xero_sandbox.inject_fault(status=500, path="/connect/token")
    exchanges = len(token_calls(xero_sandbox))

    response = owner_client.get(f"{CALLBACK}?{urlencode(query)}", follow=True)

    assert response.status_code == 200  # a page, never a 500
    assert CASES[case] in response.content.decode()  # a clear message
    assert stored_tokens() == before  # the figure: 0 tokens stored (or replaced)
    assert not PendingXeroGrant.objects.exists()
    if case in ("wrong-state", "missing-state", "access-denied"):
        assert len(token_calls(xero_sandbox)) == exchanges  # the code was never even exchanged
