"""OpenID Connect as Xero does it: discovery on the identity host, a JWKS, RS256 tokens with
Xero's claims. A client that discovers the endpoints and verifies tokens against the published keys
(PyJWT's PyJWKClient, over HTTP) must accept the sandbox's tokens."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from xero_sandbox import plain
from xero_sandbox.identity import keys, tokens
from xero_sandbox.state import World, store

# The claims in Xero's own tokens (decoded examples of real Xero tokens; Xero's scopes page says
# profile gives "first name, last name, full name and xero user id" and email the address).
ID_TOKEN_CLAIMS = {
    "nbf", "exp", "iss", "aud", "iat", "at_hash", "s_hash", "sid", "sub", "auth_time", "xero_userid",
    "global_session_id", "preferred_username", "email", "given_name", "family_name", "name", "amr",
}  # fmt: skip
ACCESS_TOKEN_CLAIMS = {
    "nbf", "exp", "iss", "aud", "client_id", "sub", "auth_time", "xero_userid", "global_session_id",
    "jti", "authentication_event_id", "scope", "amr", "sid", "iat",
}  # fmt: skip


@pytest.fixture
def discovery(xero_sandbox) -> dict:
    response = requests.get(f"{xero_sandbox.identity_base}/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def verify(token: str, discovery: dict, audience: str) -> dict:
    """What any OIDC relying party does: the key from jwks_uri by kid, then RS256, iss, aud, exp."""
    signing_key = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        signing_key.key,
        algorithms=discovery["id_token_signing_alg_values_supported"],
        audience=audience,
        issuer=discovery["issuer"],
        options={"require": ["exp", "iat", "nbf", "iss", "aud"]},
    )


def left_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


class TestDiscovery:
    def test_discovery_lives_on_the_identity_host_and_points_at_the_sandbox(self, xero_sandbox, discovery):
        identity = xero_sandbox.identity_base
        assert discovery["issuer"] == identity
        assert discovery["jwks_uri"] == f"{identity}/.well-known/openid-configuration/jwks"
        assert discovery["authorization_endpoint"] == xero_sandbox.authorize_url
        assert discovery["token_endpoint"] == xero_sandbox.token_url
        assert discovery["revocation_endpoint"] == xero_sandbox.revocation_url
        assert discovery["userinfo_endpoint"] == f"{identity}/connect/userinfo"
        assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
        assert discovery["response_types_supported"] == ["code"]
        assert set(discovery["token_endpoint_auth_methods_supported"]) == {
            "client_secret_basic",
            "client_secret_post",
        }
        assert {"openid", "offline_access", "payroll.payslip", "accounting.invoices"} <= set(
            discovery["scopes_supported"]
        )

    def test_every_advertised_endpoint_answers(self, discovery):
        for name in ("jwks_uri", "authorization_endpoint", "userinfo_endpoint"):
            assert requests.get(discovery[name], timeout=10).status_code != 404, name
        for name in ("token_endpoint", "revocation_endpoint"):
            assert requests.post(discovery[name], timeout=10).status_code != 404, name

    def test_jwks_publishes_one_rs256_signing_key_as_xero_does(self, discovery):
        (key,) = requests.get(discovery["jwks_uri"], timeout=10).json()["keys"]
        assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256"
        assert key["e"] == "AQAB" and len(base64.urlsafe_b64decode(key["n"] + "==")) == 256
        assert len(key["kid"]) == 40 and key["kid"] == key["kid"].upper()  # a SHA-1 thumbprint, as Xero's
        certificate = base64.b64decode(key["x5c"][0])
        thumbprint = hashlib.sha1(certificate, usedforsecurity=False).digest()
        assert key["x5t"] == base64.urlsafe_b64encode(thumbprint).rstrip(b"=").decode()
        assert key["kid"] == thumbprint.hex().upper()


class TestTokensVerifyAgainstTheJwks:
    def test_id_token_and_access_token_verify_with_pyjwkclient(self, xero_sandbox, discovery):
        token = xero_sandbox.connect()
        identity = verify(token["id_token"], discovery, audience=xero_sandbox.client_id)
        access = verify(token["access_token"], discovery, audience=f"{discovery['issuer']}/resources")
        assert identity["iss"] == access["iss"] == xero_sandbox.identity_base
        assert access["client_id"] == xero_sandbox.client_id
        assert access["scope"] == token["scope"]  # a list, as in Xero's access tokens
        assert access["exp"] - access["nbf"] == 1800 and identity["exp"] - identity["iat"] == 300
        assert identity["sub"] == access["sub"] and identity["xero_userid"] == access["xero_userid"]
        assert identity["sid"] == identity["global_session_id"] == access["global_session_id"]
        (connection,) = xero_sandbox.connections(token["access_token"])
        assert access["authentication_event_id"] == connection["authEventId"]

    def test_headers_and_claims_are_xeros(self, xero_sandbox, discovery):
        session = xero_sandbox.oauth_session()
        url, state = session.authorization_url(xero_sandbox.authorize_url, nonce="n-0S6_WzA2Mj")
        callback = xero_sandbox.decide(xero_sandbox.consent_page(url))
        token = session.fetch_token(
            xero_sandbox.token_url, authorization_response=callback, client_secret=xero_sandbox.client_secret
        )
        for name in ("id_token", "access_token"):
            header = jwt.get_unverified_header(token[name])
            assert header["alg"] == "RS256" and header["typ"] == "JWT"
            assert header["kid"] and header["x5t"]
        identity = verify(token["id_token"], discovery, audience=xero_sandbox.client_id)
        assert set(identity) == ID_TOKEN_CLAIMS | {"nonce"}
        assert identity["nonce"] == "n-0S6_WzA2Mj"
        assert identity["at_hash"] == left_hash(token["access_token"])
        assert identity["s_hash"] == left_hash(state)
        assert identity["amr"] == ["pwd"]
        access = verify(token["access_token"], discovery, audience=f"{discovery['issuer']}/resources")
        assert set(access) == ACCESS_TOKEN_CLAIMS
        assert len(access["jti"]) == 32 and len(access["sub"]) == 32

    def test_id_token_carries_only_what_the_openid_scopes_allow(self, xero_sandbox, discovery):
        token = xero_sandbox.connect(scopes=["openid", "accounting.contacts"])
        identity = verify(token["id_token"], discovery, audience=xero_sandbox.client_id)
        assert not {"email", "given_name", "family_name", "name", "xero_userid"} & set(identity)
        token = xero_sandbox.connect(scopes=["openid", "email", "accounting.contacts"])
        identity = verify(token["id_token"], discovery, audience=xero_sandbox.client_id)
        assert identity["email"] and "given_name" not in identity

    def test_refreshed_tokens_verify_too(self, xero_sandbox, discovery):
        first = xero_sandbox.connect()
        refreshed = requests.post(
            xero_sandbox.token_url,
            data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
            auth=(xero_sandbox.client_id, xero_sandbox.client_secret),
            timeout=10,
        ).json()
        verify(refreshed["access_token"], discovery, audience=f"{discovery['issuer']}/resources")
        verify(refreshed["id_token"], discovery, audience=xero_sandbox.client_id)

    def test_a_tampered_token_does_not_verify(self, xero_sandbox, discovery):
        token = xero_sandbox.connect()["access_token"]
        header, body, signature = token.split(".")
        claims = jwt.decode(token, options={"verify_signature": False})
        forged_body = jwt.utils.base64url_encode(
            jwt.api_jws.json.dumps({**claims, "client_id": "SOMEONEELSE"}).encode()
        ).decode()
        with pytest.raises(jwt.InvalidSignatureError):
            verify(
                f"{header}.{forged_body}.{signature}", discovery, audience=f"{discovery['issuer']}/resources"
            )


class TestTheGatewayChecksTheSignature:
    def call(self, sandbox, access_token: str) -> requests.Response:
        return requests.get(
            f"{sandbox.accounting_url}/Organisation",
            headers={"Authorization": f"Bearer {access_token}", "Xero-Tenant-Id": sandbox.demo_tenant_id},
            timeout=10,
        )

    def test_a_signed_token_works_and_forgeries_do_not(self, xero_sandbox):
        token = xero_sandbox.connect()["access_token"]
        assert self.call(xero_sandbox, token).status_code == 200
        claims = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forgeries = [
            jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": header["kid"]}),
            jwt.encode(claims, "a-guessed-shared-secret-long-enough-for-hs256", algorithm="HS256"),
            jwt.encode(claims, None, algorithm="none"),
        ]
        for forged in forgeries:
            response = self.call(xero_sandbox, forged)
            assert response.status_code == 401, forged
            assert xero_sandbox.connections(token), "the genuine token still works"

    def test_the_sdk_and_connections_accept_the_rs256_tokens(self, sdk, tenant):
        assert sdk.identity.get_connections()[0].tenant_id == tenant
        assert sdk.accounting.get_organisations(tenant).organisations[0].name


class TestUserinfo:
    def test_userinfo_returns_the_user_as_the_scopes_allow(self, xero_sandbox, discovery):
        token = xero_sandbox.connect()
        response = requests.get(
            discovery["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=10,
        )
        assert response.status_code == 200
        identity = verify(token["id_token"], discovery, audience=xero_sandbox.client_id)
        info = response.json()
        assert info["sub"] == identity["sub"] and info["email"] == identity["email"]
        assert info["xero_userid"] == identity["xero_userid"]

    def test_userinfo_needs_a_valid_token_with_openid(self, xero_sandbox, discovery):
        assert requests.get(discovery["userinfo_endpoint"], timeout=10).status_code == 401
        token = xero_sandbox.connect(scopes=["accounting.contacts"])
        response = requests.get(
            discovery["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=10,
        )
        assert response.status_code == 403


class TestTheKeyIsKeptWithTheState:
    def test_tokens_survive_a_save_and_reload_of_the_state(self, xero_sandbox):
        """Demo mode saves the world to a file and loads it on start: the key goes with it."""
        token = xero_sandbox.connect()["access_token"]
        with store.lock:
            snapshot = plain.dump(store.world)
        assert "BEGIN PRIVATE KEY" in snapshot["signing_key_pem"]
        reloaded = plain.load(World, snapshot)
        access = tokens.authenticate_bearer(reloaded, f"Bearer {token}")
        assert not isinstance(access, tokens.BearerFailure)
        assert (
            keys.jwks(reloaded)
            == requests.get(
                f"{xero_sandbox.identity_base}/.well-known/openid-configuration/jwks", timeout=10
            ).json()
        )

    def test_a_world_saved_with_another_key_keeps_it_and_rejects_this_ones_tokens(self, xero_sandbox):
        token = xero_sandbox.connect()["access_token"]
        other = World()
        other.signing_key_pem, other.signing_certificate_pem = keys.generate()
        assert keys.verify(other, token) is None
        with store.lock:
            assert keys.verify(store.world, token)["jti"]


def test_the_consent_redirect_carries_no_token(xero_sandbox):
    """Only the code comes back on the redirect; tokens come from the token endpoint."""
    url, _ = xero_sandbox.oauth_session().authorization_url(xero_sandbox.authorize_url)
    callback = xero_sandbox.decide(xero_sandbox.consent_page(url))
    assert set(parse_qs(urlsplit(callback).query)) == {"code", "scope", "state"}
