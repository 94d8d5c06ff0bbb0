from integrations.models import XeroActivity


def xero_activity_record(
    *,
    practice,
    action: str,
    description: str,
    user=None,
    success: bool = True,
    xero_id: str = "",
    detail: str = "",
) -> XeroActivity:
    return XeroActivity.objects.create(
        practice=practice,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        description=description[:500],
        outcome=XeroActivity.Outcome.SUCCESS if success else XeroActivity.Outcome.FAILURE,
        xero_id=xero_id,
        detail=detail,
    )
