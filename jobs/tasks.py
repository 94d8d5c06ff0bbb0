from celery import shared_task

from core.models import Practice
from jobs import services


@shared_task
def send_deadline_digests() -> int:
    """Fan out: one digest task per practice (beat runs this each morning)."""
    ids = list(Practice.objects.values_list("pk", flat=True))
    for practice_id in ids:
        send_practice_deadline_digest.delay(practice_id)
    return len(ids)


@shared_task
def send_practice_deadline_digest(practice_id: int) -> int:
    practice = Practice.objects.filter(pk=practice_id).first()
    if practice is None:  # deleted since the fan-out: nothing to do
        return 0
    return services.deadline_digest_send(practice=practice)
