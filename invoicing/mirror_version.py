"""A per-practice version of the invoice mirror, bumped by every write to it.

Figures computed over the whole mirror (the debtors widget aggregates up to 100,000 invoices) are
cached under the version they were computed from, so a page view is cheap while nothing changed and
the first view after a sync, a webhook or a raised invoice recomputes them.
"""

import uuid

from django.core.cache import cache

VERSION_TIMEOUT = None  # never expires on its own: a lost key only means one recomputation


def _key(practice_id: int) -> str:
    return f"invoicing:mirror-version:{practice_id}"


def mirror_version(practice_id: int) -> str:
    version = cache.get(_key(practice_id))
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_key(practice_id), version, timeout=VERSION_TIMEOUT)
        version = cache.get(_key(practice_id), version)
    return version


def mirror_changed(practice_id: int) -> None:
    cache.set(_key(practice_id), uuid.uuid4().hex, timeout=VERSION_TIMEOUT)
