"""The Xero layer's own logic that needs no server: errors, pacing, token encryption."""

import json

import pytest
from cryptography.fernet import Fernet
from xero_python.exceptions import AccountingBadRequestException, HTTPStatusException, RateLimitException

from integrations import tokens
from integrations.xero.client import translate
from integrations.xero.errors import XeroAuthError, XeroRateLimited, XeroUnavailable, XeroValidationError
from integrations.xero.pacing import RatePacer
from integrations.xero.types import RateLimitState


class FakeResponse:
    def __init__(self, status, body, headers=None):
        self.status = status
        self.reason = "x"
        self.data = json.dumps(body).encode()
        self.text = json.dumps(body)
        self._headers = headers or {}

    def getheaders(self):
        return self._headers


def test_validation_errors_collect_every_message():
    body = {
        "Type": "ValidationException",
        "Elements": [
            {"ValidationErrors": [{"Message": "Invoice # must be unique."}]},
            {"ValidationErrors": [{"Message": "Contact not found."}]},
        ],
    }
    error = translate(AccountingBadRequestException(http_resp=FakeResponse(400, body)))
    assert isinstance(error, XeroValidationError)
    assert error.messages == ["Invoice # must be unique.", "Contact not found."]


def test_invalid_grant_inside_an_accounting_call_is_an_auth_error():
    error = translate(AccountingBadRequestException(http_resp=FakeResponse(400, {"error": "invalid_grant"})))
    assert isinstance(error, XeroAuthError) and error.invalid_grant


def test_rate_limit_carries_retry_after():
    exc = RateLimitException(
        http_resp=FakeResponse(429, {}, {"Retry-After": "17", "X-Rate-Limit-Problem": "minute"})
    )
    error = translate(exc)
    assert isinstance(error, XeroRateLimited)
    assert error.retry_after == 17 and error.problem == "minute"


@pytest.mark.parametrize(
    ("status", "kind"), [(401, XeroAuthError), (403, XeroAuthError), (503, XeroUnavailable)]
)
def test_status_codes(status, kind):
    assert isinstance(translate(HTTPStatusException(http_resp=FakeResponse(status, {}))), kind)


def test_network_errors_are_unavailable():
    import urllib3

    assert isinstance(translate(urllib3.exceptions.ReadTimeoutError(None, "/", "timed out")), XeroUnavailable)


def test_pacer_holds_back_background_work_but_never_people():
    pacer = RatePacer(minute_reserve=5, day_reserve=50)
    pacer.record("t1", RateLimitState(minute_remaining=4, day_remaining=4000))
    pacer.check("t1", interactive=True)  # people always get through
    with pytest.raises(XeroRateLimited) as exc:
        pacer.check("t1", interactive=False)
    assert 0 < exc.value.retry_after <= 60
    pacer.record("t1", RateLimitState(minute_remaining=30, day_remaining=10))
    with pytest.raises(XeroRateLimited) as exc:
        pacer.check("t1", interactive=False)
    assert exc.value.problem == "day"
    pacer.check("t2", interactive=False)  # unknown tenants are not held back


def test_tokens_round_trip_and_rotate_keys(settings):
    settings.XERO_TOKEN_KEY = ""
    tokens.reset_cache()
    secret = "eyJhbGciOi.secret-token"
    cipher = tokens.encrypt(secret)
    assert secret not in cipher and tokens.decrypt(cipher) == secret
    old_key = Fernet.generate_key().decode()
    settings.XERO_TOKEN_KEY = old_key
    tokens.reset_cache()
    old_cipher = tokens.encrypt(secret)
    settings.XERO_TOKEN_KEY = f"{Fernet.generate_key().decode()},{old_key}"  # new key first, old kept
    tokens.reset_cache()
    assert tokens.decrypt(old_cipher) == secret
    settings.XERO_TOKEN_KEY = Fernet.generate_key().decode()
    tokens.reset_cache()
    with pytest.raises(ValueError, match="cannot be decrypted"):
        tokens.decrypt(old_cipher)
    settings.XERO_TOKEN_KEY = ""
    tokens.reset_cache()
