"""The sandbox's whole world, in memory behind one lock, optionally saved to a JSON file.

`store.lock` guards every read and write of `store.world`. In demo mode (XERO_SANDBOX_PERSIST)
changes are written atomically (temp file + os.replace) by a background saver shortly after
they happen, and the file is reloaded on start; under pytest nothing touches the disk.
"""

import atexit
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from . import plain
from .clock import clock
from .records import (
    AccessToken,
    App,
    AuthorizationCode,
    Grant,
    Organisation,
    RefreshToken,
)

logger = logging.getLogger(__name__)
STATE_VERSION = 1
# Coalesce a burst of writes into one save.
SAVE_DELAY_SECONDS = 0.5


@dataclass
class RateLimitConfig:
    per_minute: int = 60
    per_day: int = 5000
    app_per_minute: int = 10000
    concurrent: int = 5


@dataclass
class WebhookConfig:
    url: str | None = None
    key: str = ""
    enabled: bool = True


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    # The RS256 key and certificate that sign tokens (identity/keys.py), saved so tokens outlive a
    # restart in demo mode; empty until first used.
    signing_key_pem: str = ""
    signing_certificate_pem: str = ""
    clock_offset: float = 0.0
    rate_limits: RateLimitConfig = field(default_factory=RateLimitConfig)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    event_sequence: int = 0
    version: int = STATE_VERSION

    def org(self, tenant_id: str) -> Organisation | None:
        return self.orgs.get(tenant_id)

    def org_by_short_code(self, short_code: str) -> Organisation | None:
        return next((org for org in self.orgs.values() if org.short_code == short_code), None)


# Runtime parts (rate-limit counters, faults, call log, idempotency cache, webhook queue) register
# here so a reset clears them too.
_reset_hooks: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    _reset_hooks.append(hook)
    return hook


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._world: World | None = None
        self._dirty = threading.Event()
        self._saver: threading.Thread | None = None

    @property
    def world(self) -> World:
        if self._world is None:
            self.boot()
        return self._world

    def boot(self) -> None:
        """Load the saved state (demo mode) or start from a freshly seeded one."""
        with self.lock:
            if self._world is not None:
                return
            loaded = self._load() if settings.XERO_SANDBOX_PERSIST else None
            if loaded is None:
                self.reset(seed="demo")
            else:
                self._world = loaded
                clock.set_offset(loaded.clock_offset)
                register_settings_app(loaded)

    def reset(self, *, seed: str | None = "demo") -> World:
        from .seeds import seed_demo  # seeds build on the records; imported late to keep state.py leaf-like

        with self.lock:
            clock.reset()
            for hook in _reset_hooks:
                hook()
            world = World()
            world.webhook = WebhookConfig(
                url=getattr(settings, "XERO_SANDBOX_WEBHOOK_URL", None) or None,
                key=getattr(settings, "XERO_WEBHOOK_KEY", "") or "",
            )
            register_settings_app(world)
            if seed == "demo":
                seed_demo(world)
            self._world = world
            self.changed()
            return world

    # --- persistence --------------------------------------------------------------------------

    def changed(self) -> None:
        if not settings.XERO_SANDBOX_PERSIST:
            return
        self._dirty.set()
        if self._saver is None or not self._saver.is_alive():
            self._saver = threading.Thread(target=self._save_loop, name="xero-sandbox-saver", daemon=True)
            self._saver.start()
            atexit.register(self.save_now)

    def save_now(self) -> None:
        if self._world is None or not settings.XERO_SANDBOX_PERSIST:
            return
        with self.lock:
            self._world.clock_offset = clock.offset_seconds
            snapshot = plain.dump(self._world)
        self._write(snapshot)

    def _save_loop(self) -> None:
        while True:
            self._dirty.wait()
            threading.Event().wait(SAVE_DELAY_SECONDS)
            self._dirty.clear()
            try:
                self.save_now()
            except OSError:
                logger.exception("Could not save the Xero sandbox state")

    def _write(self, snapshot: dict) -> None:
        path = Path(settings.XERO_SANDBOX_STATE_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(snapshot, file, separators=(",", ":"))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _load(self) -> World | None:
        path = Path(settings.XERO_SANDBOX_STATE_FILE)
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"state file version {data.get('version')} is not {STATE_VERSION}")
            world = plain.load(World, data)
        except (ValueError, KeyError, TypeError):
            logger.exception("Ignoring an unreadable Xero sandbox state file at %s", path)
            return None
        for org in world.orgs.values():
            org.reindex()
        return world


def register_settings_app(world: World) -> App:
    """The demo app from settings, registered as if in Xero's developer portal."""
    client_id = settings.XERO_CLIENT_ID
    app = world.apps.get(client_id) or App(client_id=client_id, client_secret="", name="Engager")
    app.client_secret = settings.XERO_CLIENT_SECRET
    for uri in demo_redirect_uris(settings.XERO_REDIRECT_URI):
        if uri not in app.redirect_uris:
            app.redirect_uris.append(uri)
    world.apps[client_id] = app
    return app


def demo_redirect_uris(redirect_uri: str) -> list[str]:
    """XERO_REDIRECT_URI and, on a loopback host, the same URI on the other one: the demo comes
    back to the host the browser is on (localhost and 127.0.0.1 keep separate cookies), and
    redirect URIs are matched exactly, so both are registered."""
    uris = [redirect_uri]
    parts = urlsplit(redirect_uri)
    twin = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}.get(parts.hostname or "")
    if twin:
        netloc = twin + (f":{parts.port}" if parts.port else "")
        uris.append(urlunsplit(parts._replace(netloc=netloc)))
    return uris


store = Store()
