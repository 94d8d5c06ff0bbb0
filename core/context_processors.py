from django.conf import settings


def practice(request):
    return {
        "practice": getattr(request, "practice", None),
        "membership": getattr(request, "membership", None),
        "xero_sandbox_enabled": settings.XERO_SANDBOX_ENABLED,
    }
