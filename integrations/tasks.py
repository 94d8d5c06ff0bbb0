"""Background Xero work. Thin: ids in, a service call, typed errors decide retries."""

import math

from celery import shared_task
from django.core.cache import cache

from integrations import services
from integrations.models import XeroConnection, XeroSyncRun
from integrations.xero.errors import XeroAuthError, XeroError, XeroRateLimited, XeroUnavailable

SYNC_LOCK_SECONDS = 15 * 60


@shared_task(bind=True, max_retries=8, acks_late=True)
def sync_xero(self, run_id: int) -> str:
    """Run (or resume) one sync; one at a time per practice; safe to deliver twice."""
    run = XeroSyncRun.objects.select_related("practice").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return "nothing to do"
    connection = XeroConnection.objects.filter(practice=run.practice).first()
    if connection is None or not connection.is_active:
        services.xero_sync_fail(run=run, message="Xero is not connected, so nothing was synced.")
        return "not connected"
    lock = f"xero-sync:{run.practice_id}"
    if not cache.add(lock, run_id, timeout=SYNC_LOCK_SECONDS):
        services.xero_sync_waiting(run=run, message="Another sync is running; this one will follow.")
        raise self.retry(countdown=30)
    try:
        services.with_xero(
            connection=connection,
            interactive=False,
            operation=lambda client: services.xero_sync_run(run=run, connection=connection, client=client),
        )
        return "ok"
    except XeroRateLimited as exc:
        seconds = max(1, math.ceil(exc.retry_after))
        services.xero_sync_waiting(
            run=run, message=f"Xero asked us to slow down; carrying on in {seconds} s…"
        )
        raise self.retry(countdown=seconds, exc=exc) from exc
    except XeroUnavailable as exc:
        if self.request.retries >= self.max_retries:
            services.xero_sync_fail(run=run, message=exc.message)
            return "unavailable"
        services.xero_sync_waiting(run=run, message="Xero is not answering; trying again shortly…")
        raise self.retry(countdown=min(600, 15 * 2**self.request.retries), exc=exc) from exc
    except XeroAuthError:  # with_xero has already flagged the connection if the grant is dead
        services.xero_sync_fail(run=run, message="Xero needs you to reconnect before syncing.")
        return "auth"
    except XeroError as exc:
        services.xero_sync_fail(run=run, message=exc.message)
        return "error"
    finally:
        if cache.get(lock) == run_id:
            cache.delete(lock)


@shared_task
def sync_all_xero() -> int:
    """Beat: queue an incremental sync for every connected practice."""
    started = 0
    for connection in XeroConnection.objects.filter(status=XeroConnection.Status.ACTIVE).select_related(
        "practice"
    ):
        run, created = services.xero_sync_start(practice=connection.practice)
        if created:
            sync_xero.delay(run.pk)
            started += 1
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
