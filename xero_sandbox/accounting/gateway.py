"""What Xero's API gateway does before and after every Accounting API call.

In order: bearer token (401), then a path or method the sandbox does not serve (404 or 501, see
below), xero-tenant-id covered by the token's connections (403), scope (401 + insufficient_scope),
rate limits (429), injected faults, then the view under the store lock with Idempotency-Key replay
for writes; rate-limit headers go on every admitted response.

What the sandbox does not serve is answered as Xero answers what it does not have, never with a
scope error that would send a developer chasing scopes:
- a resource it cannot find (an unknown path, a record that does not exist, or an operation Xero
  has but the sandbox does not emulate, such as PUT Accounts or POST Items): 404 with the plain-text
  body "The resource you're looking for cannot be found" (Xero-OpenAPI issue #163; pyxero's test
  "verified response from the live API"; the SDK's NotFoundException says the same);
- PUT or POST on a resource that Xero does not implement them for (POST Organisation): 501
  ApiMethodNotImplementedException ("The method you have called has not been implemented (e.g.
  POST Organisation)", developer.xero.com/documentation/api/http-response-codes);
- DELETE (or any other method) that Xero does not have on a resource: 404, as Xero answers a
  DELETE on an invoice (pyxero issue #350).
"""

import functools
import json
from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..calllog import logged
from ..faults import faults
from ..idempotency import KEY_MAX_LENGTH, idempotency_cache
from ..identity.connections import unauthorized
from ..identity.tokens import BearerFailure, authenticate_bearer, tenant_ids_for
from ..ratelimit import rate_limiter
from ..records import AccessToken, Organisation
from ..scopes import allows
from ..state import World, store
from ..wire import json_response, messages, problem, validation_exception
from .where import QueryError

WRITE_METHODS = ("PUT", "POST")
NOT_FOUND_TEXT = "The resource you're looking for cannot be found"

# The methods Xero's spec (xero_accounting.yaml) has on each path the sandbox serves, by URL name
# (urls.py); tests/xero_sandbox/test_unemulated.py checks them against the spec.
XERO_METHODS = {
    "organisation-api": {"GET"},
    "accounts": {"GET", "PUT"},
    "account": {"GET", "POST", "DELETE"},
    "tax-rates": {"GET", "PUT", "POST"},
    "tax-rate": {"GET"},
    "items": {"GET", "PUT", "POST"},
    "item": {"GET", "POST", "DELETE"},
    "contacts": {"GET", "PUT", "POST"},
    "contact": {"GET", "POST"},
    "invoices": {"GET", "PUT", "POST"},
    "invoice": {"GET", "POST"},
    "online-invoice-api": {"GET"},
    "credit-notes": {"GET", "PUT", "POST"},
    "credit-note": {"GET", "POST"},
    "credit-note-allocations": {"PUT"},
    "aged-receivables": {"GET"},
}
# The ones the sandbox emulates; the rest of XERO_METHODS is answered 404 (see above).
EMULATED_METHODS = {
    "contacts": {"GET", "PUT", "POST"},
    "contact": {"GET", "POST"},
    "invoices": {"GET", "PUT", "POST"},
    "invoice": {"GET", "POST"},
    "credit-notes": {"GET", "PUT", "POST"},
    "credit-note": {"GET", "POST"},
    "credit-note-allocations": {"PUT"},
}


@dataclass
class Api:
    """What a view gets besides the request: the world, the tenant's organisation, the caller."""

    world: World
    org: Organisation
    access: AccessToken
    provider: str


def bad_request(*errors: str) -> HttpResponse:
    return json_response(validation_exception([{"ValidationErrors": messages(list(errors))}]), 400)


def not_found() -> HttpResponse:
    """Xero's answer for a resource it cannot find: 404 and a plain-text sentence, not JSON."""
    return HttpResponse(NOT_FOUND_TEXT, status=404, content_type="text/plain; charset=utf-8")


def not_implemented() -> HttpResponse:
    return json_response(
        {
            "ErrorNumber": 20,
            "Type": "ApiMethodNotImplementedException",
            "Message": "The Api Method called is not implemented",
        },
        501,
    )


def unserved(request) -> HttpResponse | None:
    """Xero's answer when the sandbox does not serve this method on this path, else None."""
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else None
    if name not in XERO_METHODS:
        return not_found()
    if request.method in EMULATED_METHODS.get(name, {"GET"}):
        return None
    if request.method in WRITE_METHODS and request.method not in XERO_METHODS[name]:
        return not_implemented()
    return not_found()


def read_json(request):
    """The request body as JSON; ValueError (answered as Xero's PostDataInvalidException) if not."""
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("Invalid JSON") from error


def invalid_json() -> HttpResponse:
    return json_response(
        {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": "Invalid Json data"}, 400
    )


def xero_api(*, read: frozenset[str], write: frozenset[str] = frozenset()):
    """Wrap an Accounting API view `view(request, api, *args)` in Xero's gateway rules."""

    def decorator(view):
        @csrf_exempt
        @login_not_required
        @logged("accounting")
        @functools.wraps(view)
        def gateway(request, *args, **kwargs):
            writing = request.method in WRITE_METHODS
            with store.lock:
                world = store.world
                access = authenticate_bearer(world, request.headers.get("Authorization", ""))
                if isinstance(access, BearerFailure):
                    return unauthorized(access)
                request.sandbox_client_id = access.client_id
                refusal = unserved(request)
                if refusal is not None:
                    return refusal
                tenant_id = request.headers.get("xero-tenant-id", "").strip().lower()
                if tenant_id not in tenant_ids_for(world, access) or tenant_id not in world.orgs:
                    return json_response(problem(403, "Forbidden", "AuthenticationUnsuccessful"), 403)
                if not allows(access.scopes, write if writing else read):
                    return json_response(
                        problem(401, "Unauthorized", "AuthorizationUnsuccessful"),
                        401,
                        {"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
                    )
                limits = world.rate_limits
                provider = world.apps[access.client_id].name if access.client_id in world.apps else ""
            admission = rate_limiter.admit(tenant_id, access.client_id, limits)
            if not admission.allowed:
                response = json_response(problem(429, "Too Many Requests", "Rate limit exceeded"), 429)
            else:
                try:
                    response = faults.around(
                        request,
                        lambda: _handle(request, view, tenant_id, access, provider, writing, args, kwargs),
                    )
                finally:
                    rate_limiter.release(tenant_id, access.client_id)
            for name, value in admission.headers.items():
                response[name] = value
            return response

        return gateway

    return decorator


@csrf_exempt
@login_not_required
@logged("accounting")
def unknown_resource(request, *args, **kwargs):
    """Any other api.xro/2.0 path: the bearer token is checked first (401), then Xero's 404."""
    with store.lock:
        access = authenticate_bearer(store.world, request.headers.get("Authorization", ""))
        if isinstance(access, BearerFailure):
            return unauthorized(access)
        request.sandbox_client_id = access.client_id
    return not_found()


def _handle(request, view, tenant_id, access, provider, writing, args, kwargs) -> HttpResponse:
    key = request.headers.get("Idempotency-Key", "").strip() if writing else ""
    with store.lock:
        world = store.world
        org = world.orgs.get(tenant_id)
        if org is None:
            return json_response(problem(403, "Forbidden", "AuthenticationUnsuccessful"), 403)
        if key:
            if len(key) > KEY_MAX_LENGTH:
                return bad_request(f"The Idempotency-Key must be {KEY_MAX_LENGTH} characters or fewer.")
            fingerprint = idempotency_cache.fingerprint(request)
            stored = idempotency_cache.lookup(tenant_id, key)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    return bad_request("This Idempotency-Key has already been used for a different request.")
                request.sandbox_replayed = True
                return HttpResponse(
                    stored.body, status=stored.status, content_type="application/json; charset=utf-8"
                )
        try:
            response = view(request, Api(world, org, access, provider), *args, **kwargs)
        except QueryError as error:
            response = json_response(
                {"ErrorNumber": 16, "Type": "QueryParseException", "Message": str(error)}, 400
            )
        if key and response.status_code < 500:
            idempotency_cache.remember(tenant_id, key, fingerprint, response.status_code, response.content)
        if writing and response.status_code < 300:
            store.changed()
        return response
