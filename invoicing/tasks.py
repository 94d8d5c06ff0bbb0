"""Invoicing's Celery tasks: batch billing runs."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def billing_run_task(run_id: int) -> str:
    """Work through one billing run; it always ends Finished or Failed, eager too."""
    from invoicing.services import batch

    try:
        run = batch.billing_process(run_id=run_id)
    except Exception:  # never leave a run "running", nor let an eager run break the page
        logger.exception("Billing run %s stopped", run_id)
        batch.billing_fail(run_id=run_id, message=batch.UNEXPECTED)
        return "failed"
    return "nothing to do" if run is None else "ok"
