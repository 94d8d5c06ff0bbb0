"""Registries that let apps add items to shared pages without the page knowing about them.

The client page's left-hand menu, the job page's tabs and the dashboard's widgets are each a
`Registry`; an app registers its entries in `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    order: int = 100
    # Called with the page's object (client, job or practice); the entry shows only when True.
    visible: Callable[[Any], bool] = field(default=lambda obj: True)
    # Whether url_name takes the object's pk.
    takes_pk: bool = True

    def url_for(self, obj: Any) -> str:
        return reverse(self.url_name, args=[obj.pk]) if self.takes_pk else reverse(self.url_name)


class Registry:
    def __init__(self, name: str):
        self.name = name
        self._entries: dict[str, NavEntry] = {}

    def register(self, entry: NavEntry) -> None:
        self._entries[entry.key] = entry

    def entries_for(self, obj: Any) -> list[dict[str, str]]:
        """Visible entries for obj, ordered, with their URLs resolved."""
        entries = sorted(self._entries.values(), key=lambda e: (e.order, e.label))
        return [{"key": e.key, "label": e.label, "url": e.url_for(obj)} for e in entries if e.visible(obj)]


client_menu = Registry("client menu")
job_tabs = Registry("job tabs")
dashboard_widgets = Registry("dashboard widgets")
# Top-menu items under Jobs ▾ (after "All jobs") and Settings' side menu (before Billing).
jobs_menu = Registry("jobs menu")
settings_menu = Registry("settings menu")

# Callables (request, client) returning extra context for every page under a client; an app adds the
# parts of the client page it owns this way (integrations: the client's Xero link, as `xero`).
client_context_providers: list[Callable[[Any, Any], dict[str, Any]]] = []

# Callables taking the request and returning banners ({"level": ..., "html": ...}) for every page.
banner_providers: list[Callable[[Any], list[dict[str, Any]]]] = []
