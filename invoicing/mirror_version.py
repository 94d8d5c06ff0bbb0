"""A per-practice version of the invoice mirror, bumped by every write to it.

Figures computed over the whole mirror (the debtors widget aggregates up to 100,000 invoices, Jobs →
Xero totals its filtered set) are cached under the version they were computed from, so a page view
is cheap while nothing changed and the first view after a sync, a webhook, a raised invoice or a
job linked to (or unlinked from) an invoice recomputes them.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

VERSION_TIMEOUT = None  # never expires on its own: a lost key only means one recomputation
T = TypeVar("T")


def _key(practice_id: int) -> str:
    return f"invoicing:mirror-version:{practice_id}"


def _work_key(practice_id: int) -> str:
    return f"invoicing:work-version:{practice_id}"


def _version(key: str) -> str:
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, timeout=VERSION_TIMEOUT)
        version = cache.get(key, version)
    return version


def mirror_version(practice_id: int) -> str:
    return _version(_key(practice_id))


def mirror_changed(practice_id: int) -> None:
    cache.set(_key(practice_id), uuid.uuid4().hex, timeout=VERSION_TIMEOUT)


def mirror_changed_now_and_on_commit(practice_id: int) -> None:
    """For a write inside a transaction: now (so this transaction's own readers recompute) and again
    on commit (so a reader that cached the old figures under the new version in between is
    superseded)."""
    mirror_changed(practice_id)
    transaction.on_commit(lambda: mirror_changed(practice_id))


def cached_figures(practice_id: int, key: str, compute: Callable[[], T], *, timeout: int) -> T:
    """`compute()`, cached under `key` and the practice's current mirror version. `key` must name
    everything else the figures depend on (the tenant, the filters, the date)."""
    versioned = f"{key}:{mirror_version(practice_id)}"
    value = cache.get(versioned)
    if value is None:
        value = compute()
        cache.set(versioned, value, timeout=timeout)
    return value


# --- The practice's work: jobs and their links to invoices ------------------------------------------
# Unbilled completed work (the Debtors widget) reads every completed job; it is cached under the
# mirror's version and this one, bumped by every save and delete of a job or of a job's link to an
# invoice (post_save / post_delete receivers, connected in InvoicingConfig.ready). A queryset
# .update() or bulk_create of jobs sends no signal: whoever writes jobs that way must call
# work_changed_now_and_on_commit (nothing does today); the figures' short timeout bounds the damage.


def work_version(practice_id: int) -> str:
    return _version(_work_key(practice_id))


def work_changed(practice_id: int) -> None:
    cache.set(_work_key(practice_id), uuid.uuid4().hex, timeout=VERSION_TIMEOUT)


def work_changed_now_and_on_commit(practice_id: int) -> None:
    """As mirror_changed_now_and_on_commit, for the practice's jobs."""
    work_changed(practice_id)
    transaction.on_commit(lambda: work_changed(practice_id))


def job_or_link_saved_or_deleted(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for jobs.Job and invoicing.JobInvoiceLink."""
    if kwargs.get("raw"):  # loaddata
        return
    work_changed_now_and_on_commit(instance.practice_id)
