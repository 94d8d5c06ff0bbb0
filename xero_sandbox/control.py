"""The control API (/xero-sandbox/_control/…) for tests, the demo and the benchmark. JSON in, JSON out.

Not part of Xero: it resets and seeds the sandbox, moves its clock, injects faults, reads the call
log, sets rate limits, edits records "in Xero", disconnects organisations on Xero's side, registers
redirect URIs and configures and triggers webhooks. Mounted only in sandbox mode (never with DEBUG
off), and even then it answers only callers on this machine (loopback) or callers that send the
XERO_SANDBOX_CONTROL_TOKEN setting in the X-Sandbox-Control-Token header.
"""

import dataclasses
import functools
import hmac
import ipaddress
import json
import math
import uuid
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .books import Batch, invoice_pay, plan_contact, plan_invoice
from .calllog import call_log
from .clock import clock
from .events import record_event
from .faults import Fault, faults
from .identity.connections import connection_json, remove_connection
from .ratelimit import rate_limiter
from .records import App
from .seeds import seed_demo, seed_scale
from .serializers import contact_json, invoice_json
from .state import store
from .webhooks import flush_webhooks, intent_to_receive, sender, webhook_target_problem
from .wire import parse_decimal

CONTROL_TOKEN_HEADER = "X-Sandbox-Control-Token"
# A proxy on this machine relays every caller from loopback; these headers give such a relay away.
FORWARDING_HEADERS = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_REAL_IP")
MAX_SCALE_CONTACTS = 100_000
MAX_SCALE_INVOICES = 1_000_000
MAX_FLUSH_SECONDS = 60.0


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def from_loopback(request) -> bool:
    if any(header in request.META for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def has_control_token(request) -> bool:
    expected = getattr(settings, "XERO_SANDBOX_CONTROL_TOKEN", "") or ""
    given = request.headers.get(CONTROL_TOKEN_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def control(*methods: str):
    def decorator(view):
        @csrf_exempt
        @login_not_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not from_loopback(request) and not has_control_token(request):
                return JsonResponse(
                    {
                        "error": "The sandbox control API answers only callers on this machine, or "
                        f"requests carrying the {CONTROL_TOKEN_HEADER} header "
                        "(the XERO_SANDBOX_CONTROL_TOKEN setting)."
                    },
                    status=403,
                )
            if request.method not in methods:
                return JsonResponse({"error": f"Use {' or '.join(methods)}"}, status=405)
            if request.method != "GET" and request.content_type != "application/json":
                # A cross-site HTML form cannot send JSON, so this keeps browsers from driving it.
                return JsonResponse({"error": "Send JSON (Content-Type: application/json)."}, status=415)
            try:
                body = json.loads(request.body or b"{}") if request.method != "GET" else {}
                if not isinstance(body, dict):
                    raise ControlError("The body must be a JSON object.")
                result = view(request, body, *args, **kwargs)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                return JsonResponse({"error": "The body must be JSON."}, status=400)
            except ControlError as error:
                return JsonResponse({"error": str(error)}, status=error.status)
            except KeyError as error:
                return JsonResponse({"error": f"Missing {error}."}, status=400)
            except (TypeError, ValueError, ArithmeticError) as error:
                # Conversions (int("x"), Decimal, dates) say what they could not read.
                return JsonResponse({"error": str(error)}, status=400)
            return result if isinstance(result, JsonResponse) else JsonResponse(result, safe=False)

        return wrapper

    return decorator


def _integer(body: dict, name: str, default: int, *, low: int, high: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ControlError(f"{name} must be a whole number from {low} to {high}.")
    return value


def _number(body: dict, name: str, default: float = 0) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"{name} must be a number.")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ControlError(f"{name} is too large.")
    return number


def _text(body: dict, name: str, default: str = "") -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise ControlError(f"{name} must be a string.")
    return value


def _flag(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ControlError(f"{name} must be true or false.")
    return value


def _webhook_url(url) -> str:
    problem = webhook_target_problem(url)
    if problem:
        raise ControlError(problem)
    return url


def _org(world, tenant_id: str):
    org = world.orgs.get(tenant_id.lower())
    if org is None:
        raise ControlError(f"No organisation {tenant_id}", 404)
    return org


def state_summary(world) -> dict:
    return {
        "clock": clock_json(),
        "organisations": [
            {
                "tenant_id": org.tenant_id,
                "name": org.name,
                "short_code": org.short_code,
                "contacts": len(org.contacts),
                "invoices": len(org.invoices),
            }
            for org in world.orgs.values()
        ],
        "apps": [{**asdict(app), "client_secret": "…"} for app in world.apps.values()],
        "connections": [
            {
                **connection_json(connection, world.orgs[connection.tenant_id].name),
                "client_id": grant.client_id,
            }
            for grant in world.grants.values()
            for connection in grant.connections
            if connection.tenant_id in world.orgs
        ],
        "rate_limits": asdict(world.rate_limits),
        "webhook": {"url": world.webhook.url, "enabled": world.webhook.enabled},
    }


def clock_json() -> dict:
    return {"now": clock.now().isoformat(), "offset_seconds": clock.offset_seconds}


@control("GET")
def state(request, body):
    with store.lock:
        return state_summary(store.world)


@control("POST")
def reset(request, body):
    seed = body.get("seed", "demo")
    if seed not in ("demo", "empty"):
        raise ControlError("seed must be 'demo' or 'empty'")
    with store.lock:
        return state_summary(store.reset(seed=None if seed == "empty" else "demo"))


@control("POST")
def seed(request, body):
    kind = body.get("kind", "demo")
    if kind not in ("demo", "scale"):
        raise ControlError("kind must be 'demo' or 'scale'")
    if kind == "scale":
        scale = {
            "contacts": _integer(body, "contacts", 10_000, low=1, high=MAX_SCALE_CONTACTS),
            "invoices": _integer(body, "invoices", 100_000, low=0, high=MAX_SCALE_INVOICES),
            "seed": _integer(body, "seed", 1, low=0, high=2**63),
            "name": _text(body, "name"),
        }
    with store.lock:
        world = store.world
        organisations = seed_demo(world) if kind == "demo" else [seed_scale(world, **scale)]
        store.changed()
        return {"organisations": [{"tenant_id": org.tenant_id, "name": org.name} for org in organisations]}


@control("GET", "POST")
def clock_view(request, body):
    if request.method == "POST":
        seconds = sum(
            _number(body, name) * unit
            for name, unit in (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400))
        )
        with store.lock:
            clock.advance(seconds)  # ValueError (a 400) if it would go back or too far ahead
            store.changed()
    return clock_json()


@control("GET", "POST", "DELETE")
def faults_view(request, body):
    if request.method == "POST":
        allowed = {field.name for field in dataclasses.fields(Fault)} - {"id", "used", "pattern"}
        unknown = set(body) - allowed
        if unknown:
            raise ControlError(f"Unknown fault settings: {', '.join(sorted(unknown))}")
        return faults.add(**body).as_json()
    if request.method == "DELETE":
        faults.clear()
    return {"faults": faults.list()}


@control("GET", "DELETE")
def calls(request, body):
    if request.method == "DELETE":
        call_log.clear()
        return {"calls": []}
    since = int(request.GET.get("since") or 0)
    return {
        "calls": call_log.calls(since=since, area=request.GET.get("area") or None),
        "last_seq": call_log.last_seq,
    }


@control("GET", "POST")
def rate_limits(request, body):
    with store.lock:
        limits = store.world.rate_limits
        for name in ("per_minute", "per_day", "app_per_minute", "concurrent"):
            if name in body:
                setattr(limits, name, _integer(body, name, 0, low=0, high=10**9))
        if body.get("reset_counters"):
            rate_limiter.clear()
        store.changed()
        return {**asdict(limits), "usage": rate_limiter.usage()}


@control("DELETE", "POST")
def connection(request, body, connection_id: str):
    """Disconnect an organisation on Xero's side (the user removed the app in Xero)."""
    with store.lock:
        removed = remove_connection(store.world, connection_id.lower())
        if removed is None:
            raise ControlError("No such connection", 404)
        store.changed()
        return {"deleted": connection_id}


@control("GET", "POST")
def apps(request, body):
    redirect_uris = body.get("redirect_uris", [])
    if not isinstance(redirect_uris, list) or not all(isinstance(uri, str) for uri in redirect_uris):
        raise ControlError("redirect_uris must be a list of strings.")
    custom_tenant_id = body.get("custom_connection_tenant_id")
    if custom_tenant_id is not None and not isinstance(custom_tenant_id, str):
        raise ControlError("custom_connection_tenant_id must be a string or null.")
    with store.lock:
        world = store.world
        if request.method == "POST":
            client_id = _text(body, "client_id") or uuid.uuid4().hex.upper()
            app = world.apps.get(client_id) or App(client_id=client_id, client_secret="", name="")
            app.client_secret = _text(body, "client_secret", app.client_secret)
            app.name = _text(body, "name", app.name or "Sandbox app")
            for uri in redirect_uris:
                if uri not in app.redirect_uris:
                    app.redirect_uris.append(uri)
            app.allow_broad_scopes = _flag(body, "allow_broad_scopes", app.allow_broad_scopes)
            if "custom_connection_tenant_id" in body:
                app.custom_connection_tenant_id = custom_tenant_id
            world.apps[client_id] = app
            store.changed()
        # Client secrets only to callers on this machine, never over the network (even with the token).
        shown = from_loopback(request)
        return {
            "apps": [
                {**asdict(app), **({} if shown else {"client_secret": "…"})} for app in world.apps.values()
            ]
        }


@control("GET", "POST")
def webhook_config(request, body):
    changes = {}
    if body.get("url") is not None:
        changes["url"] = _webhook_url(body["url"])
    elif "url" in body:
        changes["url"] = None  # webhooks off until a URL is set again
    if "key" in body:
        changes["key"] = _text(body, "key")
    if "enabled" in body:
        changes["enabled"] = _flag(body, "enabled", True)
    with store.lock:
        config = store.world.webhook
        for name, value in changes.items():
            setattr(config, name, value)
        store.changed()
        return {"url": config.url, "enabled": config.enabled, "key_set": bool(config.key)}


@control("POST")
def webhook_send(request, body):
    """Raise events by hand, e.g. {"tenant_id": …, "category": "INVOICE", "resource_id": …}."""
    events = body.get("events") or [body]
    if not isinstance(events, list) or not all(isinstance(event, dict) for event in events):
        raise ControlError("events must be a list of objects.")
    for event in events:
        if _text(event, "category").upper() not in ("CONTACT", "INVOICE"):
            raise ControlError("category must be CONTACT or INVOICE")
        _text(event, "tenant_id")
        _text(event, "event_type", "UPDATE")
        if not _text(event, "resource_id"):
            raise ControlError("resource_id is required.")
    with store.lock:
        world = store.world
        for event in events:
            org = _org(world, event.get("tenant_id", ""))
            record_event(
                world,
                org.tenant_id,
                event["category"].upper(),
                event.get("event_type", "UPDATE").upper(),
                event["resource_id"],
            )
    return {"queued": len(events)}


@control("POST")
def webhook_flush(request, body):
    timeout = _number(body, "timeout", 10)
    if not 0 <= timeout <= MAX_FLUSH_SECONDS:
        raise ControlError(f"timeout must be between 0 and {MAX_FLUSH_SECONDS:g} seconds.")
    return {"flushed": flush_webhooks(timeout)}


@control("GET")
def webhook_deliveries(request, body):
    return {"deliveries": sender.deliveries()}


@control("POST")
def webhook_retry(request, body):
    return {"retried": sender.retry_failed()}


@control("POST")
def webhook_intent_to_receive(request, body):
    url, key = body.get("url"), body.get("key")
    if url is not None:
        _webhook_url(url)
    if key is not None and not isinstance(key, str):
        raise ControlError("key must be a string.")
    with store.lock:
        config = store.world.webhook
        url, key = url or config.url, key or config.key
    if not url:
        raise ControlError("No webhook URL is configured.")
    return intent_to_receive(url, key)


@control("GET", "POST")
def org_contacts(request, body, tenant_id: str):
    with store.lock:
        world = store.world
        org = _org(world, tenant_id)
        if request.method == "GET":
            return {"Contacts": [contact_json(contact, org) for contact in org.contacts.values()]}
        plan = plan_contact(world, org, body, batch=Batch())
        contact = _apply(plan)
        return contact_json(contact, org)


def _apply(plan):
    """Carry out a validated change made "in Xero" (under store.lock), or say why it was refused."""
    if not plan.ok:
        raise ControlError("; ".join(plan.errors))
    record = plan.apply()
    store.changed()
    return record


@control("GET", "POST")
def org_contact(request, body, tenant_id: str, contact_id: str):
    with store.lock:
        world = store.world
        org = _org(world, tenant_id)
        contact = org.contacts.get(contact_id.lower())
        if contact is None:
            raise ControlError("No such contact", 404)
        if request.method == "POST":
            plan = plan_contact(world, org, body, existing=contact)
            _apply(plan)
        return contact_json(contact, org)


@control("GET", "POST")
def org_invoices(request, body, tenant_id: str):
    with store.lock:
        world = store.world
        org = _org(world, tenant_id)
        if request.method == "GET":
            return {
                "Invoices": [
                    invoice_json(invoice, org, with_lines=False) for invoice in org.invoices.values()
                ]
            }
        plan = plan_invoice(world, org, body, batch=Batch())
        invoice = _apply(plan)
        return invoice_json(invoice, org, with_lines=True)


@control("GET", "POST")
def org_invoice(request, body, tenant_id: str, invoice_id: str):
    with store.lock:
        world = store.world
        org = _org(world, tenant_id)
        invoice = org.invoices.get(invoice_id.lower())
        if invoice is None:
            raise ControlError("No such invoice", 404)
        if request.method == "POST":
            plan = plan_invoice(world, org, body, existing=invoice)
            _apply(plan)
        return invoice_json(invoice, org, with_lines=True)


@control("POST")
def org_invoice_payment(request, body, tenant_id: str, invoice_id: str):
    """Pay an invoice "in Xero": {"amount": "120.00"} (default: in full), optional date, reference."""
    with store.lock:
        world = store.world
        org = _org(world, tenant_id)
        invoice = org.invoices.get(invoice_id.lower())
        if invoice is None:
            raise ControlError("No such invoice", 404)
        amount = parse_decimal(body["amount"]) if body.get("amount") not in (None, "") else invoice.amount_due
        on = date.fromisoformat(_text(body, "date")) if body.get("date") else clock.today_in(org.timezone)
        errors = invoice_pay(world, org, invoice, Decimal(amount), on, _text(body, "reference"))
        if errors:
            raise ControlError("; ".join(errors))
        store.changed()
        return invoice_json(invoice, org, with_lines=True)
