"""Xero webhooks: change events POSTed to the app, signed with x-xero-signature.

The signature is Base64(HMAC-SHA256(webhook key, raw body)). Deliveries run on a background
thread so the request that caused a change never waits for them; `flush_webhooks()` (or the
control API) waits until everything queued has been delivered. A failed delivery is kept and can
be retried from the control API (Xero retries for 24 hours; the sandbox retries when asked).
"""

import base64
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from django.conf import settings

from .clock import clock
from .events import ChangeEvent, listen
from .state import on_reset

BATCH_SIZE = 100
# Besides the app's own origin (SITE_URL), webhooks may go to these hosts (tests' receivers).
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
DELIVERY_TIMEOUT_SECONDS = 5
RESOURCE_PATHS = {"CONTACT": "Contacts", "INVOICE": "Invoices", "CREDITNOTE": "CreditNotes"}


def _origin(url) -> tuple:
    return (url.scheme, url.hostname, url.port or {"http": 80, "https": 443}.get(url.scheme))


def webhook_target_problem(url) -> str | None:
    """Why the sandbox will not send webhooks to `url`, or None if it may.

    Only the app's own origin (SITE_URL) or a loopback host: the control API must never be a way to
    make requests to other machines (or to scan their ports). Backslashes, whitespace and user
    info are refused because HTTP clients and urlsplit may disagree about the host they imply.
    """
    if not isinstance(url, str) or not url:
        return "The webhook URL must be a non-empty string."
    if "\\" in url or any(char.isspace() or not char.isprintable() for char in url):
        return "The webhook URL must not contain backslashes, spaces or control characters."
    try:
        target = urlsplit(url)
        origin = _origin(target)
        site = urlsplit(settings.SITE_URL)
        site_origin = _origin(site)
    except ValueError:
        return "The webhook URL is not a valid URL."
    if target.scheme not in ("http", "https") or not target.hostname:
        return "The webhook URL must be an http:// or https:// URL."
    if "@" in target.netloc:
        return "The webhook URL must not contain a user name or password."
    if target.hostname in LOOPBACK_HOSTS or origin == site_origin:
        return None
    return (
        f"The sandbox sends webhooks only to the app ({site.scheme}://{site.netloc}) or a loopback "
        f"host, not to {target.hostname}."
    )


def signature(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode("ascii")


def entropy() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))


def event_json(event: ChangeEvent) -> dict:
    api_base = getattr(settings, "XERO_API_BASE", "https://api.xero.com").rstrip("/")
    payload = {
        "resourceUrl": f"{api_base}/api.xro/2.0/{RESOURCE_PATHS[event.category]}/{event.resource_id}",
        "resourceId": event.resource_id,
        "tenantId": event.tenant_id,
        "tenantType": "ORGANISATION",
        "eventCategory": event.category,
        "eventType": event.event_type,
        "eventDateUtc": event.at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
    }
    if event.data:
        payload["data"] = dict(event.data)
    return payload


def payload(events: list[ChangeEvent]) -> bytes:
    document = {
        "events": [event_json(event) for event in events],
        "firstEventSequence": events[0].sequence if events else 0,
        "lastEventSequence": events[-1].sequence if events else 0,
        "entropy": entropy(),
    }
    return json.dumps(document, separators=(",", ":")).encode()


@dataclass
class Delivery:
    url: str
    key: str
    events: list[ChangeEvent]
    attempts: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.attempts) and self.attempts[-1]["status"] == 200

    def summary(self) -> dict:
        return {
            "url": self.url,
            "events": [event_json(event) for event in self.events],
            "attempts": self.attempts,
            "ok": self.ok,
        }


class WebhookSender:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._pending: list[Delivery] = []
        self._busy = False
        self._thread: threading.Thread | None = None
        self.history: deque[Delivery] = deque(maxlen=500)

    def enqueue(self, world, event: ChangeEvent) -> None:
        """Called by the books (under store.lock) whenever something changes."""
        config = world.webhook
        if not config.enabled or not config.url:
            return
        with self._condition:
            last = self._pending[-1] if self._pending else None
            if last and last.url == config.url and last.key == config.key and len(last.events) < BATCH_SIZE:
                last.events.append(event)
            else:
                self._pending.append(Delivery(config.url, config.key, [event]))
            self._start()
            self._condition.notify_all()

    def retry_failed(self) -> int:
        with self._condition:
            failed = [delivery for delivery in self.history if not delivery.ok]
            for delivery in failed:
                self.history.remove(delivery)
            self._pending.extend(failed)
            self._start()
            self._condition.notify_all()
            return len(failed)

    def flush(self, timeout: float = 10.0) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: not self._pending and not self._busy, timeout)

    def deliveries(self) -> list[dict]:
        with self._condition:
            return [delivery.summary() for delivery in self.history]

    def clear(self) -> None:
        with self._condition:
            self._pending.clear()
            self.history.clear()

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="xero-sandbox-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: bool(self._pending))
                delivery = self._pending.pop(0)
                self._busy = True
            try:
                self._deliver(delivery)
            finally:
                with self._condition:
                    self.history.append(delivery)
                    self._busy = False
                    self._condition.notify_all()

    @staticmethod
    def _deliver(delivery: Delivery) -> None:
        body = payload(delivery.events)
        started = time.monotonic()
        attempt = {"at": clock.now().isoformat(), "status": None, "error": ""}
        try:
            response = requests.post(
                delivery.url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "x-xero-signature": signature(delivery.key, body),
                },
                timeout=DELIVERY_TIMEOUT_SECONDS,
                allow_redirects=False,  # a redirect would reach a target nobody checked
            )
            attempt["status"] = response.status_code
        except requests.RequestException as error:
            attempt["error"] = str(error)
        attempt["seconds"] = round(time.monotonic() - started, 3)
        delivery.attempts.append(attempt)


def intent_to_receive(url: str, key: str) -> dict:
    """Xero's check of a webhook endpoint: correctly signed empty payloads must get 200, wrongly
    signed ones 401, within 5 seconds."""
    checks = []
    for name, expected in (
        ("correctly signed", 200),
        ("signed with another key", 401),
        ("body altered after signing", 401),
    ):
        body = payload([])
        signed = signature(key if name != "signed with another key" else key + "-wrong", body)
        if name == "body altered after signing":
            body = body.replace(b'"entropy":"', b'"entropy":"X')
        started = time.monotonic()
        check = {"name": name, "expected": expected, "status": None, "error": ""}
        try:
            response = requests.post(
                url,
                data=body,
                headers={"Content-Type": "application/json", "x-xero-signature": signed},
                timeout=DELIVERY_TIMEOUT_SECONDS,
                allow_redirects=False,  # a redirect would reach a target nobody checked
            )
            check["status"] = response.status_code
            check["empty_body"] = not response.content
        except requests.RequestException as error:
            check["error"] = str(error)
        check["seconds"] = round(time.monotonic() - started, 3)
        check["ok"] = check["status"] == expected and check["seconds"] < DELIVERY_TIMEOUT_SECONDS
        checks.append(check)
    return {"url": url, "ok": all(check["ok"] for check in checks), "checks": checks}


sender = WebhookSender()
listen(sender.enqueue)
on_reset(sender.clear)


def flush_webhooks(timeout: float = 10.0) -> bool:
    """Wait until every queued webhook has been delivered (or attempted). True if all done."""
    return sender.flush(timeout)
