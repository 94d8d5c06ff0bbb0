import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clients.models import Client
from core.models import Practice
from jobs.models import Job

DUE_WINDOWS = {
    "overdue": "Overdue",
    "7": "Due in 7 days",
    "30": "Due in 30 days",
    "90": "Due in 90 days",
}


COMPLETED_NOT_INVOICED = "completed_not_invoiced"


def _invoiced():
    """Whether a job has an invoice linked (invoicing's JobInvoiceLink, reached by its related_name:
    jobs does not import invoicing). One EXISTS per row of the same query: no per-row queries."""
    try:
        related = Job._meta.get_field("invoice_links").related_model
    except FieldDoesNotExist:  # pragma: no cover - invoicing not installed
        return Value(False)
    return Exists(related.objects.filter(job=OuterRef("pk")))


def _base(practice: Practice) -> QuerySet[Job]:
    return Job.objects.filter(practice=practice).select_related("client", "assignee")


def job_list(
    *,
    practice: Practice,
    status: str = "",
    job_type: str = "",
    assignee_id: int | None = None,
    due: str = "",
    query: str = "",
    today: dt.date | None = None,
) -> QuerySet[Job]:
    today = today or timezone.localdate()
    qs = _base(practice)
    qs = qs.annotate(invoiced=_invoiced())
    if status == "open":
        qs = qs.filter(status__in=Job.OPEN_STATUSES)
    elif status == COMPLETED_NOT_INVOICED:
        qs = qs.filter(status=Job.Status.COMPLETED, invoiced=False)
    elif status in Job.Status.values:
        qs = qs.filter(status=status)
    if job_type in Job.JobType.values:
        qs = qs.filter(job_type=job_type)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if due == "overdue":
        qs = qs.filter(status__in=Job.OPEN_STATUSES, deadline__lt=today)
    elif due in DUE_WINDOWS:
        qs = qs.filter(deadline__gte=today, deadline__lte=today + dt.timedelta(days=int(due)))
    if query.strip():
        qs = qs.filter(client__name__icontains=query.strip())
    return qs.order_by("deadline", "number")


def job_fee_total(jobs: QuerySet[Job]):
    """The total of the jobs' fees (one query), e.g. for "Completed, not invoiced"."""
    return jobs.order_by().aggregate(total=Sum("fee"))["total"] or 0


def job_get(*, practice: Practice, pk: int) -> Job:
    return get_object_or_404(_base(practice), pk=pk)


def jobs_for_client(*, client: Client) -> QuerySet[Job]:
    return Job.objects.filter(client=client).select_related("assignee").order_by("deadline", "number")


DEADLINES_SHOWN = 50  # per list in the dashboard widget; the counts are exact, a link shows the rest


def deadlines(*, practice: Practice, days: int = 30, today: dt.date | None = None) -> dict:
    """Open jobs that are overdue, and those due within `days`, for the dashboard: the first
    DEADLINES_SHOWN of each, and how many there are in all."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=days)
    open_jobs = Job.objects.filter(practice=practice, status__in=Job.OPEN_STATUSES)
    # Both counts in one pass over the (practice, status, deadline) index alone (an index-only scan
    # once vacuumed): bounded by `soon` and counting `deadline` (never null), not the pk, which
    # is not in the index and made PostgreSQL read every open job of the practice from the table.
    counts = open_jobs.filter(deadline__lte=soon).aggregate(
        overdue=Count("deadline", filter=Q(deadline__lt=today)),
        upcoming=Count("deadline", filter=Q(deadline__gte=today)),
    )
    # Only what the widget shows (no assignee, no notes).
    shown = open_jobs.select_related("client").only(
        "pk", "number", "job_type", "title", "deadline", "status", "client__name"
    )
    return {
        "overdue": list(shown.filter(deadline__lt=today).order_by("deadline", "number")[:DEADLINES_SHOWN]),
        "upcoming": list(
            shown.filter(deadline__gte=today, deadline__lte=soon).order_by("deadline", "number")[
                :DEADLINES_SHOWN
            ]
        ),
        "overdue_count": counts["overdue"],
        "upcoming_count": counts["upcoming"],
        "days": days,
    }


def digest_for_assignee(*, practice: Practice, today: dt.date, days: int = 7) -> dict[int, list[Job]]:
    """Open jobs overdue or due within `days`, grouped by assignee id."""
    jobs = (
        _base(practice)
        .filter(
            status__in=Job.OPEN_STATUSES,
            assignee__isnull=False,
            deadline__lte=today + dt.timedelta(days=days),
        )
        .order_by("deadline", "number")
    )
    grouped: dict[int, list[Job]] = {}
    for job in jobs:
        grouped.setdefault(job.assignee_id, []).append(job)
    return grouped
