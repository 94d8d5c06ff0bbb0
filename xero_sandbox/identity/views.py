"""login.xero.com and identity.xero.com, and api.xero.com/connections.

Invalid client_id or redirect_uri gets an error page, never a redirect (the redirect target is
not trusted). So does a scope Xero does not know or the app may not ask for: Xero's
troubleshooting guide says an invalid scope shows its error screen ("Error: invalid_scope") rather
than going back to the app. Any other problem is sent back to the app as ?error=…&state=….

OpenID Connect discovery and the signing keys are served on the identity host, where Xero has
them: /.well-known/openid-configuration and /.well-known/openid-configuration/jwks.
"""

import base64
import hmac
import re
from urllib.parse import unquote_plus, urlencode

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt

from ..calllog import logged
from ..faults import faults
from ..rendering import render_page, sandbox_base
from ..scopes import KNOWN_SCOPES, broad_scopes, describe, unknown_scopes
from ..state import store
from ..wire import json_response
from . import keys, tokens

CONSENT_SALT = "xero-sandbox-consent"
CONSENT_MAX_AGE = 60 * 60
PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def redirect_allowed(app, redirect_uri: str) -> bool:
    """Xero compares the redirect_uri with the app's registered URIs exactly: no wildcards, no
    other port, path or trailing slash (developer.xero.com/faq/oauth2)."""
    return redirect_uri in app.redirect_uris


def back_to_app(redirect_uri: str, **params) -> HttpResponseRedirect:
    query = urlencode({key: value for key, value in params.items() if value})
    return HttpResponseRedirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}")


def issuer(request) -> str:
    return f"{sandbox_base(request)}/identity"


@csrf_exempt
@login_not_required
def authorize(request):
    if request.method == "POST":
        return _consent_decision(request)
    query = request.GET
    with store.lock:
        world = store.world
        app = world.apps.get(query.get("client_id", ""))
        organisations = [{"tenant_id": org.tenant_id, "name": org.name} for org in world.orgs.values()]
    if app is None:
        return _error_page(request, "unauthorized_client", "Invalid client_id")
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_allowed(app, redirect_uri):
        return _error_page(request, "invalid_request", "Invalid redirect_uri")
    state = query.get("state", "")
    if query.get("response_type") != "code":
        return back_to_app(redirect_uri, error="unsupported_response_type", state=state)
    scopes = query.get("scope", "").split()
    if not scopes or unknown_scopes(scopes) or (not app.allow_broad_scopes and broad_scopes(scopes)):
        return _error_page(request, "invalid_scope", "Invalid scope")
    challenge, method = query.get("code_challenge", ""), query.get("code_challenge_method", "")
    if (challenge or method) and (method != "S256" or not PKCE_CHALLENGE.match(challenge)):
        return back_to_app(redirect_uri, error="invalid_request", state=state)
    ticket = signing.dumps(
        {
            "client_id": app.client_id,
            "redirect_uri": redirect_uri,
            "scopes": scopes,
            "state": state,
            "code_challenge": challenge,
            "nonce": query.get("nonce", ""),
        },
        salt=CONSENT_SALT,
    )
    chosen = [organisations[0]["tenant_id"]] if organisations else []
    return _consent_page(request, app.name, ticket, scopes, organisations, chosen)


def _consent_decision(request):
    try:
        ticket = signing.loads(request.POST.get("ticket", ""), salt=CONSENT_SALT, max_age=CONSENT_MAX_AGE)
    except signing.BadSignature:
        return _error_page(
            request, "invalid_request", "This consent page has expired; start again from the app"
        )
    if request.POST.get("action") != "allow":
        return back_to_app(ticket["redirect_uri"], error="access_denied", state=ticket["state"])
    chosen = request.POST.getlist("tenant")
    with store.lock:
        world = store.world
        app = world.apps.get(ticket["client_id"])
        organisations = [{"tenant_id": org.tenant_id, "name": org.name} for org in world.orgs.values()]
        valid = [tenant_id for tenant_id in chosen if tenant_id in world.orgs]
        if app is None:
            return _error_page(request, "unauthorized_client", "Invalid client_id")
        if not valid:
            return _consent_page(
                request,
                app.name,
                request.POST["ticket"],
                ticket["scopes"],
                organisations,
                [],
                error="Choose at least one organisation to connect.",
            )
        code = tokens.issue_code(
            world,
            app,
            redirect_uri=ticket["redirect_uri"],
            scopes=ticket["scopes"],
            tenant_ids=valid,
            code_challenge=ticket["code_challenge"],
            nonce=ticket["nonce"],
            state=ticket["state"],
        )
        store.changed()
    return back_to_app(
        ticket["redirect_uri"], code=code, scope=" ".join(ticket["scopes"]), state=ticket["state"]
    )


def _consent_page(request, app_name, ticket, scopes, organisations, chosen, error=""):
    context = {
        "app_name": app_name,
        "ticket": ticket,
        "permissions": describe(scopes),
        "organisations": organisations,
        "chosen": chosen,
        "error": error,
        "user_email": tokens.SANDBOX_USER["email"],
        "action": request.path,
    }
    return render_page(request, "xero_sandbox/consent.html", context, status=200)


def _error_page(request, error: str, description: str):
    return render_page(
        request, "xero_sandbox/oauth_error.html", {"error": error, "description": description}, 400
    )


def _client(request, world):
    """The app, from HTTP Basic credentials or from client_id/client_secret in the form body."""
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
        except ValueError:  # not Base64 (binascii.Error), not ASCII, or not UTF-8 underneath
            return None
        client_id, _, secret = decoded.partition(":")
        client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    else:
        client_id, secret = request.POST.get("client_id", ""), request.POST.get("client_secret", "")
    app = world.apps.get(client_id)
    if app is None or not hmac.compare_digest(app.client_secret.encode(), secret.encode()):
        return None
    return app


def _invalid_client(request):
    """As Xero answers: 401 when credentials came as HTTP Basic, 400 when in the form body."""
    return json_response({"error": "invalid_client"}, 401 if "Authorization" in request.headers else 400)


@csrf_exempt
@login_not_required
@logged("identity")
def token(request):
    if request.method != "POST":
        return json_response({"error": "invalid_request"}, 405)
    return faults.around(request, lambda: _token(request))


def _token(request):
    form = request.POST
    with store.lock:
        world = store.world
        app = _client(request, world)
        if app is None:
            return _invalid_client(request)
        request.sandbox_client_id = app.client_id
        grant_type = form.get("grant_type", "")
        try:
            if grant_type == "authorization_code":
                token_set = tokens.exchange_code(
                    world,
                    app,
                    code=form.get("code", ""),
                    redirect_uri=form.get("redirect_uri", ""),
                    code_verifier=form.get("code_verifier", ""),
                    issuer=issuer(request),
                )
            elif grant_type == "refresh_token":
                token_set = tokens.refresh(
                    world, app, refresh_token=form.get("refresh_token", ""), issuer=issuer(request)
                )
            elif grant_type == "client_credentials":
                token_set = tokens.client_credentials(
                    world, app, issuer=issuer(request), scope=form.get("scope", "")
                )
            else:
                return json_response({"error": "unsupported_grant_type"}, 400)
        except tokens.TokenError as failure:
            store.changed()  # a spent code or refresh token stays spent
            return json_response({"error": failure.error}, failure.status)
        store.changed()
    return json_response(token_set, headers=NO_STORE)


@csrf_exempt
@login_not_required
@logged("identity")
def revocation(request):
    if request.method != "POST":
        return json_response({"error": "invalid_request"}, 405)
    return faults.around(request, lambda: _revoke(request))


def _revoke(request):
    with store.lock:
        world = store.world
        app = _client(request, world)
        if app is None:
            return _invalid_client(request)
        request.sandbox_client_id = app.client_id
        tokens.revoke(world, app, token=request.POST.get("token", ""))
        store.changed()
    return HttpResponse(status=200)


# --- OpenID Connect discovery (identity.xero.com/.well-known/…) ---------------------------------


@csrf_exempt
@login_not_required
def openid_configuration(request):
    """What an OIDC client reads first. Only what the sandbox serves is advertised."""
    if request.method != "GET":
        return json_response({"error": "invalid_request"}, 405)
    identity = issuer(request)
    login = f"{sandbox_base(request)}/login/identity"
    return json_response(
        {
            "issuer": identity,
            "jwks_uri": f"{identity}/.well-known/openid-configuration/jwks",
            "authorization_endpoint": f"{login}/connect/authorize",
            "token_endpoint": f"{identity}/connect/token",
            "userinfo_endpoint": f"{identity}/connect/userinfo",
            "revocation_endpoint": f"{identity}/connect/revocation",
            "scopes_supported": sorted(KNOWN_SCOPES),
            "claims_supported": [
                "sub",
                "xero_userid",
                "preferred_username",
                "given_name",
                "family_name",
                "name",
                "email",
                "global_session_id",
                "sid",
                "auth_time",
                "amr",
            ],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [keys.ALGORITHM],
            "code_challenge_methods_supported": ["S256"],
        }
    )


@csrf_exempt
@login_not_required
def jwks(request):
    if request.method != "GET":
        return json_response({"error": "invalid_request"}, 405)
    with store.lock:
        world = store.world
        had_key = bool(world.signing_key_pem)
        document = keys.jwks(world)
        if not had_key:
            store.changed()  # the world adopted its signing key: save it with the state
    return json_response(document)


@csrf_exempt
@login_not_required
@logged("identity")
def userinfo(request):
    if request.method not in ("GET", "POST"):
        return json_response({"error": "invalid_request"}, 405)
    return faults.around(request, lambda: _userinfo(request))


def _userinfo(request):
    with store.lock:
        world = store.world
        access = tokens.authenticate_bearer(world, request.headers.get("Authorization", ""))
        if isinstance(access, tokens.BearerFailure):
            return json_response(
                {"error": "invalid_token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            )
        request.sandbox_client_id = access.client_id
        if "openid" not in access.scopes:
            return json_response(
                {"error": "insufficient_scope"},
                403,
                {"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
            )
    return json_response(tokens.userinfo_claims(access.scopes))
