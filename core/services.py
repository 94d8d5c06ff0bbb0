from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AddOn, Membership, Practice


def practice_update(*, practice: Practice, **data) -> Practice:
    for name in ("name", "email", "phone", "address"):
        if name in data:
            setattr(practice, name, data[name])
    practice.full_clean()
    practice.save()
    return practice


@transaction.atomic
def member_create(
    *, practice: Practice, email: str, first_name: str, last_name: str, role: str, password: str | None = None
) -> Membership:
    """Add a person to the practice. Their username is their email address."""
    user = get_user_model()(
        username=email.lower(), email=email.lower(), first_name=first_name, last_name=last_name
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = Membership(user=user, practice=practice, role=role)
    membership.full_clean()
    membership.save()
    return membership


def membership_set_role(*, membership: Membership, role: str) -> Membership:
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


def add_on_start(*, practice: Practice, code: str, description: str, monthly_price: Decimal) -> AddOn:
    """Start a monthly add-on; starting one that is already running changes nothing."""
    existing = AddOn.objects.filter(practice=practice, code=code, ended_at__isnull=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return AddOn.objects.create(
                practice=practice, code=code, description=description, monthly_price=monthly_price,
                started_at=timezone.now(),
            )  # fmt: skip
    except IntegrityError:  # started concurrently by another request
        return AddOn.objects.get(practice=practice, code=code, ended_at__isnull=True)


def add_on_end(*, practice: Practice, code: str) -> int:
    return AddOn.objects.filter(practice=practice, code=code, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
