"""The control API (/xero-sandbox/_control/…) for tests, the demo and the benchmark. JSON in, JSON out.

Not part of Xero: it resets and seeds the sandbox, moves its clock, injects faults, reads the call
log, sets rate limits, edits records "in Xero", disconnects organisations on Xero's side, registers
redirect URIs and configures and triggers webhooks. Mounted only in sandbox mode.
"""

import dataclasses
import functools
import json
import uuid
from dataclasses import asdict
from datetime import date
from decimal import Decimal

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
from .webhooks import flush_webhooks, intent_to_receive, sender
from .wire import parse_decimal


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def control(*methods: str):
    def decorator(view):
        @csrf_exempt
        @login_not_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
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
            except json.JSONDecodeError:
                return JsonResponse({"error": "The body must be JSON."}, status=400)
            except ControlError as error:
                return JsonResponse({"error": str(error)}, status=error.status)
            except (TypeError, ValueError) as error:
                return JsonResponse({"error": str(error)}, status=400)
            return result if isinstance(result, JsonResponse) else JsonResponse(result, safe=False)

        return wrapper

    return decorator


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
    with store.lock:
        world = store.world
        if kind == "demo":
            organisations = seed_demo(world)
        elif kind == "scale":
            organisations = [
                seed_scale(
                    world,
                    contacts=int(body.get("contacts", 10_000)),
                    invoices=int(body.get("invoices", 100_000)),
                    seed=int(body.get("seed", 1)),
                    name=str(body.get("name", "")),
                )
            ]
        else:
            raise ControlError("kind must be 'demo' or 'scale'")
        store.changed()
        return {"organisations": [{"tenant_id": org.tenant_id, "name": org.name} for org in organisations]}


@control("GET", "POST")
def clock_view(request, body):
    if request.method == "POST":
        seconds = float(body.get("seconds", 0)) + 60 * float(body.get("minutes", 0))
        seconds += 3600 * float(body.get("hours", 0)) + 86400 * float(body.get("days", 0))
        with store.lock:
            clock.advance(seconds)
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
    since = int(request.GET.get("since", 0))
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
                setattr(limits, name, int(body[name]))
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
    with store.lock:
        world = store.world
        if request.method == "POST":
            client_id = str(body.get("client_id") or uuid.uuid4().hex.upper())
            app = world.apps.get(client_id) or App(client_id=client_id, client_secret="", name="")
            app.client_secret = str(body.get("client_secret", app.client_secret))
            app.name = str(body.get("name", app.name or "Sandbox app"))
            for uri in body.get("redirect_uris", []):
                if uri not in app.redirect_uris:
                    app.redirect_uris.append(str(uri))
            app.allow_loopback_redirects = bool(
                body.get("allow_loopback_redirects", app.allow_loopback_redirects)
            )
            app.allow_broad_scopes = bool(body.get("allow_broad_scopes", app.allow_broad_scopes))
            if "custom_connection_tenant_id" in body:
                app.custom_connection_tenant_id = body["custom_connection_tenant_id"]
            world.apps[client_id] = app
            store.changed()
        return {"apps": [asdict(app) for app in world.apps.values()]}


@control("GET", "POST")
def webhook_config(request, body):
    with store.lock:
        config = store.world.webhook
        for name in ("url", "key", "enabled"):
            if name in body:
                setattr(config, name, body[name])
        store.changed()
        return {"url": config.url, "enabled": config.enabled, "key_set": bool(config.key)}


@control("POST")
def webhook_send(request, body):
    """Raise events by hand, e.g. {"tenant_id": …, "category": "INVOICE", "resource_id": …}."""
    events = body.get("events") or [body]
    with store.lock:
        world = store.world
        for event in events:
            org = _org(world, str(event.get("tenant_id", "")))
            category = str(event.get("category", "")).upper()
            if category not in ("CONTACT", "INVOICE"):
                raise ControlError("category must be CONTACT or INVOICE")
            record_event(
                world,
                org.tenant_id,
                category,
                str(event.get("event_type", "UPDATE")).upper(),
                str(event["resource_id"]),
            )
    return {"queued": len(events)}


@control("POST")
def webhook_flush(request, body):
    return {"flushed": flush_webhooks(float(body.get("timeout", 10)))}


@control("GET")
def webhook_deliveries(request, body):
    return {"deliveries": sender.deliveries()}


@control("POST")
def webhook_retry(request, body):
    return {"retried": sender.retry_failed()}


@control("POST")
def webhook_intent_to_receive(request, body):
    with store.lock:
        config = store.world.webhook
        url, key = body.get("url") or config.url, body.get("key") or config.key
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
        on = date.fromisoformat(body["date"]) if body.get("date") else clock.today_in(org.timezone)
        errors = invoice_pay(world, org, invoice, Decimal(amount), on, str(body.get("reference", "")))
        if errors:
            raise ControlError("; ".join(errors))
        store.changed()
        return invoice_json(invoice, org, with_lines=True)
