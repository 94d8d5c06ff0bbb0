from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core.navigation import banner_providers, jobs_menu, settings_menu


def practice(request):
    context = {
        "practice": getattr(request, "practice", None),
        "membership": getattr(request, "membership", None),
        "xero_sandbox_enabled": settings.XERO_SANDBOX_ENABLED,
    }
    if context["practice"] is not None:
        context["jobs_menu"] = jobs_menu.entries_for(None)
        context["settings_menu"] = settings_menu.entries_for(None)
        # Lazy: only whole pages show banners, so htmx partials (widgets, dialogs) skip their queries.
        context["banners"] = SimpleLazyObject(
            lambda: [banner for provider in banner_providers for banner in provider(request)]
        )
    return context
