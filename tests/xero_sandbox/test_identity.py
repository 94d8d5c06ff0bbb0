"""The OAuth 2.0 flow as Xero runs it, driven with requests-oauthlib and the xero-python SDK."""

import base64
import json
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests
from xero_python.exceptions import AccountingBadRequestException, OAuth2InvalidGrantError

from tests.fixtures.xero_sandbox import DEFAULT_SCOPES

from .conftest import make_sdk


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def claims_of(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def refresh(sandbox, refresh_token: str, *, basic: bool = False) -> requests.Response:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    auth = (sandbox.client_id, sandbox.client_secret) if basic else None
    if not basic:
        form.update(client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    return requests.post(sandbox.token_url, data=form, auth=auth, timeout=10)


class TestConsent:
    def test_consent_page_speaks_xero(self, xero_sandbox):
        session = xero_sandbox.oauth_session()
        url, _ = session.authorization_url(xero_sandbox.authorize_url)
        page = xero_sandbox.consent_page(url)
        assert "Engager wants to access your Xero organisation" in page.html
        assert "View and manage your contacts" in page.html
        assert "View your aged receivables and aged payables reports" in page.html
        assert "Allow access" in page.html and "Cancel" in page.html
        assert [name for _, name in page.tenants] == [
            "Engager Demo Practice Ltd",
            "Engager Demo Payroll Bureau Ltd",
        ]
        assert "Xero sandbox" in page.html

    def test_allow_redirects_with_code_and_unchanged_state(self, xero_sandbox):
        session = xero_sandbox.oauth_session()
        url, state = session.authorization_url(xero_sandbox.authorize_url)
        callback = xero_sandbox.decide(xero_sandbox.consent_page(url))
        assert callback.startswith(xero_sandbox.redirect_uri)
        params = query_of(callback)
        assert params["state"] == state and params["code"]

    def test_cancel_redirects_with_access_denied(self, xero_sandbox):
        session = xero_sandbox.oauth_session()
        url, state = session.authorization_url(xero_sandbox.authorize_url)
        callback = xero_sandbox.decide(xero_sandbox.consent_page(url), allow=False)
        assert query_of(callback) == {"error": "access_denied", "state": state}

    def test_allow_without_an_organisation_asks_again(self, xero_sandbox):
        url, _ = xero_sandbox.oauth_session().authorization_url(xero_sandbox.authorize_url)
        page = xero_sandbox.consent_page(url)
        response = requests.post(page.action, data={"ticket": page.ticket, "action": "allow"}, timeout=10)
        assert response.status_code == 200
        assert "Choose at least one organisation" in response.text

    @pytest.mark.parametrize(
        "change, description",
        [
            ({"client_id": "NOSUCHCLIENT"}, "Invalid client_id"),
            ({"redirect_uri": "https://evil.example/cb"}, "Invalid redirect_uri"),
            # Xero's troubleshooting guide: an invalid scope shows the error screen
            ({"scope": "openid accounting.everything"}, "Error: invalid_scope: Invalid scope"),
            ({"scope": ""}, "Error: invalid_scope: Invalid scope"),
        ],
    )
    def test_bad_client_or_redirect_gets_an_error_page_not_a_redirect(
        self, xero_sandbox, change, description
    ):
        params = {
            "response_type": "code",
            "client_id": xero_sandbox.client_id,
            "redirect_uri": xero_sandbox.redirect_uri,
            "scope": "openid accounting.contacts",
            "state": "s1",
            **change,
        }
        response = requests.get(xero_sandbox.authorize_url, params=params, allow_redirects=False, timeout=10)
        assert response.status_code == 400
        assert description in response.text

    @pytest.mark.parametrize(
        "change, error",
        [
            ({"response_type": "token"}, "unsupported_response_type"),
            ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ],
    )
    def test_other_problems_go_back_to_the_app(self, xero_sandbox, change, error):
        params = {
            "response_type": "code",
            "client_id": xero_sandbox.client_id,
            "redirect_uri": xero_sandbox.redirect_uri,
            "scope": "openid accounting.contacts",
            "state": "s2",
            **change,
        }
        response = requests.get(xero_sandbox.authorize_url, params=params, allow_redirects=False, timeout=10)
        assert response.status_code == 302
        assert query_of(response.headers["Location"]) == {"error": error, "state": "s2"}

    @pytest.mark.parametrize(
        "near_miss",
        [
            lambda uri: uri.replace(f":{urlsplit(uri).port}/", ":54321/"),  # another port
            lambda uri: uri.rstrip("/"),  # no trailing slash
            lambda uri: f"{uri}?next=/",
            lambda uri: uri.replace("http://", "https://"),
            lambda uri: urlunsplit(urlsplit(uri)._replace(netloc="testserver")),
        ],
    )
    def test_redirect_uri_must_match_a_registered_one_exactly(self, xero_sandbox, near_miss):
        near_miss = near_miss(xero_sandbox.redirect_uri)
        assert near_miss != xero_sandbox.redirect_uri
        url, _ = xero_sandbox.oauth_session(redirect_uri=near_miss).authorization_url(
            xero_sandbox.authorize_url
        )
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 400 and "Invalid redirect_uri" in response.text
        xero_sandbox.register_redirect_uri(near_miss)
        assert xero_sandbox.consent_page(url).ticket, "registered through the control API, it is accepted"

    def test_the_demo_app_is_registered_on_both_loopback_hosts(self, xero_sandbox):
        (app,) = [app for app in xero_sandbox.state()["apps"] if app["client_id"] == xero_sandbox.client_id]
        parts = urlsplit(xero_sandbox.redirect_uri)
        assert parts.hostname in ("127.0.0.1", "localhost")
        other_host = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}[parts.hostname]
        twin = urlunsplit(parts._replace(netloc=f"{other_host}:{parts.port}" if parts.port else other_host))
        assert app["redirect_uris"] == [xero_sandbox.redirect_uri, twin]
        url, state = xero_sandbox.oauth_session(redirect_uri=twin).authorization_url(
            xero_sandbox.authorize_url
        )
        callback = xero_sandbox.decide(xero_sandbox.consent_page(url))
        assert callback.startswith(f"{twin}?") and query_of(callback)["state"] == state

    def test_both_scope_vocabularies_are_accepted(self, xero_sandbox):
        broad = [
            "openid",
            "offline_access",
            "accounting.transactions",
            "accounting.contacts.read",
            "accounting.reports.read",
        ]
        token = xero_sandbox.connect(scopes=broad)
        assert token["scope"] == broad

    def test_an_app_created_since_march_2026_may_not_ask_for_broad_scopes(self, xero_sandbox):
        xero_sandbox.register_app(client_id=xero_sandbox.client_id, allow_broad_scopes=False)
        url, _ = xero_sandbox.oauth_session(["accounting.transactions"]).authorization_url(
            xero_sandbox.authorize_url
        )
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 400 and "Error: invalid_scope" in response.text, "Xero's error screen"
        assert "Location" not in response.headers
        assert xero_sandbox.connect()["access_token"], "granular scopes still work"


class TestTokens:
    def test_token_set_has_xero_shape(self, xero_sandbox):
        token = xero_sandbox.connect()
        assert token["token_type"] == "Bearer" and token["expires_in"] == 1800
        assert token["scope"] == list(DEFAULT_SCOPES)
        assert claims_of(token["access_token"])["client_id"] == xero_sandbox.client_id
        identity = claims_of(token["id_token"])
        assert identity["aud"] == xero_sandbox.client_id and identity["email"]
        assert token["refresh_token"]

    def test_no_refresh_token_without_offline_access_and_no_id_token_without_openid(self, xero_sandbox):
        token = xero_sandbox.connect(scopes=["accounting.contacts"])
        assert "refresh_token" not in token and "id_token" not in token

    def test_code_is_single_use_and_pkce_verifier_is_checked(self, xero_sandbox):
        session = xero_sandbox.oauth_session()
        url, _ = session.authorization_url(xero_sandbox.authorize_url)
        code = query_of(xero_sandbox.decide(xero_sandbox.consent_page(url)))["code"]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": xero_sandbox.redirect_uri,
            "code_verifier": "W" * 50,
        }
        auth = (xero_sandbox.client_id, xero_sandbox.client_secret)
        wrong = requests.post(xero_sandbox.token_url, data=form, auth=auth, timeout=10)
        assert (wrong.status_code, wrong.text) == (400, '{"error":"invalid_grant"}')
        form["code_verifier"] = session._code_verifier
        again = requests.post(xero_sandbox.token_url, data=form, auth=auth, timeout=10)
        assert again.status_code == 400, "a code that was presented once is spent"

    def test_client_credentials_in_basic_auth_or_body(self, xero_sandbox):
        token = xero_sandbox.connect()
        by_basic = refresh(xero_sandbox, token["refresh_token"], basic=True)
        assert by_basic.status_code == 200
        by_body = refresh(xero_sandbox, by_basic.json()["refresh_token"])
        assert by_body.status_code == 200
        wrong_secret = requests.post(
            xero_sandbox.token_url,
            data={"grant_type": "refresh_token", "refresh_token": by_body.json()["refresh_token"]},
            auth=(xero_sandbox.client_id, "not-the-secret"),
            timeout=10,
        )
        assert (wrong_secret.status_code, wrong_secret.json()) == (401, {"error": "invalid_client"})

    def test_refresh_rotates_with_a_30_minute_grace_then_invalid_grant(self, xero_sandbox):
        first = xero_sandbox.connect()["refresh_token"]
        rotated = refresh(xero_sandbox, first).json()
        assert rotated["refresh_token"] != first
        xero_sandbox.advance_clock(minutes=29)
        assert refresh(xero_sandbox, first).status_code == 200, (
            "the replaced token still works in the grace window"
        )
        xero_sandbox.advance_clock(minutes=2)
        late = refresh(xero_sandbox, first)
        assert (late.status_code, late.text) == (400, '{"error":"invalid_grant"}')
        assert refresh(xero_sandbox, rotated["refresh_token"]).status_code == 200

    def test_an_unused_refresh_token_lapses_after_60_days(self, xero_sandbox):
        token = xero_sandbox.connect()["refresh_token"]
        xero_sandbox.advance_clock(days=59)
        still = refresh(xero_sandbox, token)
        assert still.status_code == 200
        xero_sandbox.advance_clock(days=61)
        assert refresh(xero_sandbox, still.json()["refresh_token"]).text == '{"error":"invalid_grant"}'

    def test_access_token_expires_after_1800_seconds(self, xero_sandbox):
        token = xero_sandbox.connect()
        assert xero_sandbox.connections(token["access_token"])
        xero_sandbox.advance_clock(1799)
        assert xero_sandbox.connections(token["access_token"])
        xero_sandbox.advance_clock(2)
        response = requests.get(
            f"{xero_sandbox.api_base}/connections",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=10,
        )
        assert response.status_code == 401
        assert response.json()["Detail"].startswith("TokenExpired")
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'

    def test_unsupported_grant_type(self, xero_sandbox):
        response = requests.post(
            xero_sandbox.token_url,
            data={"grant_type": "password"},
            auth=(xero_sandbox.client_id, xero_sandbox.client_secret),
            timeout=10,
        )
        assert response.json() == {"error": "unsupported_grant_type"}

    def test_client_credentials_only_for_custom_connections(self, xero_sandbox):
        auth = (xero_sandbox.client_id, xero_sandbox.client_secret)
        refused = requests.post(
            xero_sandbox.token_url, data={"grant_type": "client_credentials"}, auth=auth, timeout=10
        )
        assert refused.json() == {"error": "unauthorized_client"}
        xero_sandbox.register_app(
            client_id="CUSTOMCONNECTION",
            client_secret="s3cret",
            name="Custom",
            custom_connection_tenant_id=xero_sandbox.demo_tenant_id,
        )
        granted = requests.post(
            xero_sandbox.token_url,
            data={"grant_type": "client_credentials"},
            auth=("CUSTOMCONNECTION", "s3cret"),
            timeout=10,
        )
        assert granted.status_code == 200 and "refresh_token" not in granted.json()


class TestSdkTokenHandling:
    def test_sdk_refreshes_an_expired_token_by_itself(self, xero_sandbox, token_urls):
        sdk = make_sdk(xero_sandbox, xero_sandbox.connect())
        sdk.holder["token"]["expires_at"] = 0  # the SDK decides expiry from expires_at
        old_refresh = sdk.token["refresh_token"]
        organisations = sdk.accounting.get_organisations(xero_sandbox.demo_tenant_id)
        assert organisations.organisations[0].name == "Engager Demo Practice Ltd"
        assert sdk.token["refresh_token"] != old_refresh

    def test_sdk_explicit_refresh_and_invalid_grant_after_the_grace_window(self, xero_sandbox, token_urls):
        token = xero_sandbox.connect()
        sdk = make_sdk(xero_sandbox, token)
        sdk.api_client.refresh_oauth2_token()
        assert sdk.token["refresh_token"] != token["refresh_token"]
        xero_sandbox.advance_clock(minutes=31)
        stale = make_sdk(xero_sandbox, token)
        with pytest.raises(Exception, match="invalid_grant"):
            stale.api_client.refresh_oauth2_token()

    def test_revocation_ends_the_grant(self, xero_sandbox, token_urls):
        token = xero_sandbox.connect(tenants=[xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id])
        sdk = make_sdk(xero_sandbox, token)
        assert len(sdk.identity.get_connections()) == 2
        sdk.api_client.revoke_oauth2_token()
        assert refresh(xero_sandbox, token["refresh_token"]).text == '{"error":"invalid_grant"}'
        response = requests.get(
            f"{xero_sandbox.api_base}/connections",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=10,
        )
        assert response.status_code == 401

    def test_failed_sdk_refresh_surfaces_as_xero_does(self, xero_sandbox, token_urls):
        token = xero_sandbox.connect()
        make_sdk(xero_sandbox, token).api_client.refresh_oauth2_token()  # rotates the refresh token away
        xero_sandbox.advance_clock(minutes=31)
        stale = dict(token, expires_at=0)
        with pytest.raises(OAuth2InvalidGrantError):
            make_sdk(xero_sandbox, stale).identity.get_connections()
        with pytest.raises(AccountingBadRequestException) as raised:
            make_sdk(xero_sandbox, stale).accounting.get_organisations(xero_sandbox.demo_tenant_id)
        assert raised.value.error_data == {"error": "invalid_grant"}


class TestConnections:
    def test_connections_are_those_chosen_on_consent(self, xero_sandbox, token_urls):
        token = xero_sandbox.connect(tenants=[xero_sandbox.demo_tenant_id, xero_sandbox.second_tenant_id])
        connections = make_sdk(xero_sandbox, token).identity.get_connections()
        assert {c.tenant_name for c in connections} == {
            "Engager Demo Practice Ltd",
            "Engager Demo Payroll Bureau Ltd",
        }
        assert len({c.auth_event_id for c in connections}) == 1
        assert {c.tenant_type for c in connections} == {"ORGANISATION"}

    def test_raw_connection_objects_match_the_spec(self, xero_sandbox):
        token = xero_sandbox.connect()
        (connection,) = xero_sandbox.connections(token["access_token"])
        assert set(connection) == {
            "id",
            "authEventId",
            "tenantId",
            "tenantType",
            "tenantName",
            "createdDateUtc",
            "updatedDateUtc",
        }
        assert connection["tenantId"] == xero_sandbox.demo_tenant_id
        assert len(connection["createdDateUtc"].split(".")[1]) == 7

    def test_auth_event_filter(self, xero_sandbox):
        token = xero_sandbox.connect()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        url = f"{xero_sandbox.api_base}/connections"
        (connection,) = requests.get(url, headers=headers, timeout=10).json()
        assert requests.get(
            url, params={"authEventId": connection["authEventId"]}, headers=headers, timeout=10
        ).json()
        assert (
            requests.get(
                url,
                params={"authEventId": "00000000-0000-0000-0000-000000000000"},
                headers=headers,
                timeout=10,
            ).json()
            == []
        )

    def test_delete_connection_case_insensitive_path_204_then_404(self, xero_sandbox, token_urls):
        token = xero_sandbox.connect()
        sdk = make_sdk(xero_sandbox, token)
        (connection,) = sdk.identity.get_connections()
        sdk.identity.delete_connection(connection.id)  # the SDK uses /Connections/{id}
        assert sdk.api_client.last_response.status == 204
        assert sdk.identity.get_connections() == []
        response = requests.delete(
            f"{xero_sandbox.api_base}/connections/{connection.id}",
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=10,
        )
        assert response.status_code == 404

    def test_deleted_on_xeros_side_the_app_sees_it_gone(self, xero_sandbox, token_urls):
        sdk = make_sdk(xero_sandbox, xero_sandbox.connect())
        (connection,) = sdk.identity.get_connections()
        xero_sandbox.delete_connection(connection.id)
        assert sdk.identity.get_connections() == []
        with pytest.raises(Exception) as raised:
            sdk.accounting.get_organisations(xero_sandbox.demo_tenant_id)
        assert raised.value.status == 403
