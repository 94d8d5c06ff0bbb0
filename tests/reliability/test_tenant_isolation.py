"""Row: the tenant isolation sweep → 0 leaks.

Every URL pattern with an object id (found by walking the URL resolver, so a new page is swept
without anyone remembering to add it), filled with the ids of another practice's objects and
requested by an owner of this practice, with GET and with POST, answers 404 (a POST-only view may
answer GET with 405: it refuses before reading anything).

A new pattern whose id the sweep cannot fill fails `test_tenant_sweep_covers_every_object_url`
with a message saying what to add (`ID_OWNERS` in tests/core/test_tenancy.py, or `SAMPLE_VALUES`).
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter

from tests.core.test_tenancy import SKIP_NAMESPACES, _owner, foreign_objects  # noqa: F401 - a fixture

# Arguments that are not object ids (e.g. which field of a difference to resolve): a real value each.
SAMPLE_VALUES = {("xero_differences", "field"): "name"}


@dataclass(frozen=True)
class ObjectUrl:
    name: str  # "namespace:url_name"
    namespace: str
    route: str
    converters: dict  # argument -> converter


def _walk(patterns, namespace="", names=(), route="", converters=None):
    converters = converters or {}
    for entry in patterns:
        found = {**converters, **(getattr(entry.pattern, "converters", {}) or {})}
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in SKIP_NAMESPACES:
                continue
            yield from _walk(
                entry.url_patterns,
                inner,
                names + ((entry.namespace,) if entry.namespace else ()),
                route + str(entry.pattern),
                found,
            )
        elif isinstance(entry, URLPattern):
            if not any(isinstance(c, IntConverter) for c in found.values()):
                continue
            name = ":".join([*names, entry.name or f"<unnamed {entry.pattern}>"])
            yield ObjectUrl(name, namespace, route + str(entry.pattern), found)


def object_urls() -> list[ObjectUrl]:
    return sorted({u.name: u for u in _walk(get_resolver().url_patterns)}.values(), key=lambda u: u.name)


def _kwargs(url: ObjectUrl, objects: dict) -> dict:
    kwargs = {}
    for argument, converter in url.converters.items():
        if isinstance(converter, IntConverter):
            kwargs[argument] = objects[_owner(url.namespace, url.route, argument)].pk
        else:
            kwargs[argument] = SAMPLE_VALUES[(url.namespace, argument)]
    return kwargs


def test_tenant_sweep_covers_every_object_url():
    urls = object_urls()
    assert len(urls) >= 20
    missing = []
    for url in urls:
        if url.name.startswith("<unnamed") or ":<unnamed" in url.name:
            missing.append(f"{url.route}: name the pattern so the sweep can reverse it")
        for argument, converter in url.converters.items():
            if isinstance(converter, IntConverter) and not _owner(url.namespace, url.route, argument):
                missing.append(f"{url.name} <{argument}>: add ({url.namespace!r}, {argument!r}) to ID_OWNERS")
            if not isinstance(converter, IntConverter) and (url.namespace, argument) not in SAMPLE_VALUES:
                missing.append(f"{url.name} <{argument}>: add a value to SAMPLE_VALUES")
    assert not missing, "The tenant sweep cannot fill these URLs:\n" + "\n".join(missing)


@pytest.mark.django_db
def test_every_object_url_another_practice_get_and_post__404__0_leaks(owner_client, foreign_objects):  # noqa: F811
    leaks, swept, kinds = [], 0, set()
    for url in object_urls():
        kwargs = _kwargs(url, foreign_objects)
        path = reverse(url.name, kwargs=kwargs)
        assert resolve(path).view_name == url.name  # the sweep really reaches this pattern
        kinds |= {
            _owner(url.namespace, url.route, argument)
            for argument, converter in url.converters.items()
            if isinstance(converter, IntConverter)
        }
        for method, refused in (("get", (404, 405)), ("post", (404,))):
            status = getattr(owner_client, method)(path).status_code
            swept += 1
            if status not in refused:
                leaks.append(f"{method.upper()} {path} ({url.name}) answered {status}")
    assert swept == 2 * len(object_urls())
    assert leaks == [], f"{len(leaks)} leaks:\n" + "\n".join(leaks)  # the figure: 0 leaks
    assert kinds >= set(foreign_objects), "every kind of object was tried through some URL"
