import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clients.models import Client
from core.models import Membership, Practice
from core.services import model_update
from core.validators import single_line
from jobs import selectors
from jobs.models import Job, JobSequence

JOB_FIELDS = ("job_type", "title", "period_end", "deadline", "status", "assignee", "fee", "notes")


def _next_job_number(practice: Practice) -> int:
    sequence, _ = JobSequence.objects.get_or_create(practice=practice)
    sequence = JobSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _check_assignee(practice: Practice, assignee) -> None:
    if assignee is not None and not Membership.objects.filter(user=assignee, practice=practice).exists():
        raise ValidationError({"assignee": "Choose someone from your practice."})


def _completed_at(job: Job, status: str) -> dt.datetime | None:
    """When the job was completed: kept while it stays completed, cleared when it is reopened."""
    if status != Job.Status.COMPLETED:
        return None
    return job.completed_at or timezone.now()


@transaction.atomic
def job_create(
    *,
    client: Client,
    job_type: str,
    deadline: dt.date,
    status: str = Job.Status.NOT_STARTED,
    title: str = "",
    period_end: dt.date | None = None,
    assignee=None,
    fee: Decimal | None = None,
    notes: str = "",
) -> Job:
    practice = client.practice
    _check_assignee(practice, assignee)
    job = Job(
        practice=practice, client=client, job_type=job_type, deadline=deadline, title=title,
        period_end=period_end, assignee=assignee, fee=fee, notes=notes,
    )  # fmt: skip
    job.status, job.completed_at = status, _completed_at(job, status)
    job.number = 0  # replaced below, once the row is known to be valid
    job.full_clean(exclude=["number"])
    job.number = _next_job_number(practice)
    job.save()
    return job


@transaction.atomic
def job_update(*, job: Job, **data: Any) -> Job:
    if "assignee" in data:
        _check_assignee(job.practice, data["assignee"])
    if "status" in data:
        data["completed_at"] = _completed_at(job, data["status"])
    return model_update(instance=job, fields=(*JOB_FIELDS, "completed_at"), data=data)


def deadline_digest_send(*, practice: Practice, today: dt.date | None = None) -> int:
    """Email each assignee their overdue jobs and those due this week. Returns emails sent."""
    today = today or timezone.localdate()
    sent = 0
    by_assignee = selectors.digest_for_assignee(practice=practice, today=today)
    for jobs in by_assignee.values():
        user = jobs[0].assignee
        if not user.email:
            continue
        context = {
            "user": user,
            "practice": practice,
            "today": today,
            "jobs": jobs,
            "site_url": settings.SITE_URL,
        }
        overdue = sum(1 for job in jobs if job.deadline < today)
        # One line whatever the name holds: a line break in a header makes send_mail refuse.
        subject = f"{single_line(practice.name)}: {len(jobs)} job(s) due this week" + (
            f", {overdue} overdue" if overdue else ""
        )
        send_mail(subject, render_to_string("jobs/email/deadline_digest.txt", context), None, [user.email])
        sent += 1
    return sent
