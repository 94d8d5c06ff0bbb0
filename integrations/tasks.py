"""Background Xero work. Thin: ids in, a service call, typed errors decide retries.

A sync always ends Succeeded or Failed, or waits with a time to carry on: whatever goes wrong, the
run never stays "running" and the next Sync now works. In eager mode (no worker, as under
`make run`) a retry is not run inside the page's request: the run records when it carries on and
the progress poll (or the next Sync now, or beat) resumes it then.
"""

import logging
import math

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.core.cache import cache

from integrations import services
from integrations.models import XeroConnection, XeroSyncRun
from integrations.xero.errors import XeroAuthError, XeroError, XeroRateLimited, XeroUnavailable

logger = logging.getLogger(__name__)

SYNC_LOCK_SECONDS = 15 * 60
UNEXPECTED = (
    "The sync stopped because of an unexpected problem. The details are in Engager's log; "
    "you can sync again now."
)


@shared_task(bind=True, max_retries=None, acks_late=True)
def sync_xero(self, run_id: int) -> str:
    """Run (or resume) one sync; one at a time per practice; safe to deliver twice."""
    run = XeroSyncRun.objects.select_related("practice").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return "nothing to do"
    lock = f"xero-sync:{run.practice_id}"
    try:
        connection = XeroConnection.objects.filter(practice=run.practice).first()
        if connection is None or not connection.is_active:
            services.xero_sync_fail(run=run, message="Xero is not connected, so nothing was synced.")
            return "not connected"
        if not cache.add(lock, run_id, timeout=SYNC_LOCK_SECONDS):
            if cache.get(lock) == run_id:
                return "already running"  # delivered twice: the first delivery is doing it
            lock = None  # not ours to release
            return _retry(self, run, "Another sync is running; this one will follow.",
                          countdown=2 * settings.XERO_SYNC_RETRY_DELAY)  # fmt: skip
        services.with_xero(
            connection=connection,
            interactive=False,
            operation=lambda client: services.xero_sync_run(run=run, connection=connection, client=client),
        )
        return "ok"
    except XeroRateLimited as exc:
        if exc.problem == "day":  # hours, not seconds: say so, and carry on after Xero's reset
            return _retry(self, run, "Xero's daily limit reached;", countdown=math.ceil(exc.retry_after), exc=exc,
                          template="{reason} resuming after {at}.")  # fmt: skip
        return _retry(self, run, "Xero asked us to slow down.", countdown=math.ceil(exc.retry_after), exc=exc)
    except XeroUnavailable as exc:
        return _retry(self, run, "Xero is not answering.", exc=exc,
                      countdown=services.xero_sync_retry_delay(retries=run.retries))  # fmt: skip
    except XeroAuthError as exc:  # with_xero has already flagged the connection if the grant is dead
        services.xero_sync_fail(
            run=run, message="Xero needs you to reconnect before syncing.", error=exc.message
        )
        return "auth"
    except XeroError as exc:
        services.xero_sync_fail(run=run, message=exc.message)
        return "error"
    except Retry:
        raise  # the worker retries later (the run already says when)
    except Exception as exc:  # anything else (bad data, the database...): fail the run, keep the details
        logger.exception("Xero sync run %s failed unexpectedly", run_id)
        services.xero_sync_fail(run=run, message=UNEXPECTED, error=f"{type(exc).__name__}: {exc}"[:2000])
        return "failed"
    finally:
        if lock and cache.get(lock) == run_id:
            cache.delete(lock)


def _retry(
    task,
    run: XeroSyncRun,
    reason: str,
    *,
    countdown: float,
    exc: Exception | None = None,
    template: str = "{reason} Will retry at {at}.",
) -> str:
    """Wait and carry on later, or give up (the run fails, saying why) after the last retry."""
    if run.retries >= settings.XERO_SYNC_MAX_RETRIES:
        services.xero_sync_fail(
            run=run, message=f"{reason} Gave up after {run.retries + 1} attempts; sync again later."
        )
        return "gave up"
    countdown = max(1, math.ceil(countdown))
    services.xero_sync_waiting(run=run, reason=reason, countdown=countdown, template=template)
    if task.request.is_eager:
        return "waiting"  # resumed by xero_sync_resume_if_due: never block or fail the page's request
    # The run counts its retries (above), so Celery's own limit is off (max_retries=None).
    raise task.retry(countdown=countdown, exc=exc)


@shared_task(bind=True, max_retries=None, acks_late=True)
def process_xero_webhooks(self, event_ids: list[int]) -> str:
    """Fetch and upsert what Xero's webhook events changed; Xero down or busy → retry later."""
    from integrations.services import webhooks

    try:
        result = webhooks.xero_webhook_events_process(event_ids=event_ids)
    except Exception as exc:  # never leave events waiting for nothing
        logger.exception("Processing Xero webhook events %s stopped", event_ids)
        webhooks.xero_webhook_events_fail(event_ids=event_ids, error=f"{type(exc).__name__}: {exc}"[:2000])
        return "failed"
    if result.retry_ids:
        if self.request.is_eager:
            return "waiting"  # beat's sweep (xero_webhook_events_requeue) tries them again
        raise self.retry(args=[result.retry_ids], countdown=max(1, math.ceil(result.retry_after)))
    return "ok"


@shared_task
def sync_all_xero() -> int:
    """Beat: queue an incremental sync for every connected practice (not those needing a reconnect),
    and queue again any webhook events whose processing was lost."""
    from integrations.services import webhooks

    webhooks.xero_webhook_events_requeue()
    started = 0
    for connection in XeroConnection.objects.filter(status=XeroConnection.Status.ACTIVE).select_related(
        "practice"
    ):
        _run, created = services.xero_sync_request(practice=connection.practice)
        started += created
    return started


@shared_task(autoretry_for=(XeroUnavailable,), retry_backoff=60, max_retries=3)
def check_xero_connection(connection_id: int) -> bool:
    connection = XeroConnection.objects.select_related("practice").filter(pk=connection_id).first()
    if connection is None:
        return False
    return services.xero_connection_check(connection=connection)


@shared_task
def check_all_xero_connections() -> int:
    """Beat (daily): find connections removed on Xero's side or with a dead refresh token; tidy up."""
    services.xero_sync_runs_prune()
    services.pending_grants_prune()
    ids = list(
        XeroConnection.objects.filter(status=XeroConnection.Status.ACTIVE).values_list("pk", flat=True)
    )
    for connection_id in ids:
        check_xero_connection.delay(connection_id)
    return len(ids)


@shared_task(acks_late=True)
def xero_bulk(run_id: int) -> str:
    """Work through one bulk run (link or create); it always ends Finished or Failed, eager too."""
    from integrations.services import bulk

    try:
        run = bulk.xero_bulk_process(run_id=run_id)
    except Exception:  # never leave a run "running", nor let an eager run break the page
        logger.exception("Xero bulk run %s stopped", run_id)
        bulk.xero_bulk_fail(run_id=run_id, message=bulk.UNEXPECTED)
        return "failed"
    return "nothing to do" if run is None else "ok"
