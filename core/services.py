from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.models import AddOn, Membership, Practice

M = TypeVar("M", bound=models.Model)

PRACTICE_FIELDS = ("name", "email", "phone", "address")


def model_update(*, instance: M, fields: Iterable[str], data: dict[str, Any]) -> M:
    """Set those of `fields` that `data` holds, validate the row (`full_clean`) and save those
    fields (and any `auto_now` one). Anything else in `data` is ignored.

    The one place services copy data onto an existing row. It saves even when the values look
    unchanged: a bound ModelForm has already copied them onto the same instance.
    """
    names = [name for name in fields if name in data]
    for name in names:
        setattr(instance, name, data[name])
    instance.full_clean()
    auto_now = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
    instance.save(update_fields=[*names, *(name for name in auto_now if name not in names)])
    return instance


def practice_update(*, practice: Practice, **data: Any) -> Practice:
    return model_update(instance=practice, fields=PRACTICE_FIELDS, data=data)


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
