"""Project-wide system checks (`manage.py check --deploy`)."""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.urls import Resolver404, resolve

SANDBOX_APP = "xero_sandbox"


def _sandbox_urls_mounted() -> bool:
    try:
        match = resolve(f"/{settings.XERO_SANDBOX_PREFIX}/_control/state")
    except Resolver404:
        return False
    return match.func.__module__.startswith(f"{SANDBOX_APP}.")


@register(Tags.security, deploy=True)
def check_sandbox_not_mounted(app_configs, **kwargs) -> list[Error]:
    """The offline Xero sandbox (and its unauthenticated control API) must never reach production."""
    where = []
    if apps.is_installed(SANDBOX_APP):
        where.append("INSTALLED_APPS")
    if getattr(settings, "XERO_SANDBOX_ENABLED", False) or _sandbox_urls_mounted():
        where.append(f"the URLs (/{settings.XERO_SANDBOX_PREFIX}/)")
    if not where:
        return []
    return [
        Error(
            f"The offline Xero sandbox is mounted ({' and '.join(where)}).",
            hint="Deploy with DEBUG=0 and XERO_MODE=xero (real Xero credentials).",
            id="engager.E001",
        )
    ]
