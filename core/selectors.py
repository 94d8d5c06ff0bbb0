from decimal import Decimal

from django.db.models import QuerySet, Sum

from core.models import AddOn, Membership, Practice


def members(*, practice: Practice) -> QuerySet[Membership]:
    return Membership.objects.filter(practice=practice).select_related("user").order_by("user__first_name")


def active_add_ons(*, practice: Practice) -> QuerySet[AddOn]:
    return AddOn.objects.filter(practice=practice, ended_at__isnull=True).order_by("started_at")


def past_add_ons(*, practice: Practice) -> QuerySet[AddOn]:
    return AddOn.objects.filter(practice=practice, ended_at__isnull=False).order_by("-ended_at")


def monthly_total(*, practice: Practice) -> Decimal:
    total = active_add_ons(practice=practice).aggregate(total=Sum("monthly_price"))["total"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))  # SQLite sums lose the scale
