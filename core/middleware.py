from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils.cache import patch_cache_control


class PracticeMiddleware:
    """Sets request.practice and request.membership for signed-in users (None otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.practice = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from core.models import Membership  # (models are not ready when middleware is imported)

            # One query for both (user.membership then .practice would be two, on every page).
            membership = Membership.objects.select_related("practice").filter(user=user).first()
            if membership is not None:
                user.membership = membership  # cached: later reads of user.membership query nothing
                request.membership = membership
                request.practice = membership.practice
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Pages for a signed-in user hold their practice's data: no shared cache may keep them
    (private), and the browser should not keep a copy on disk either (no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy from settings.CONTENT_SECURITY_POLICY, plus:

    - form-action also allows Xero's sign-in origin, because "Authorise Xero" posts to us and we
      redirect the form submission there (browsers apply form-action to that redirect);
    - pages of the offline Xero sandbox (mounted only in development) stand in for Xero's own site:
      they may use inline styles and send their consent form back to the app's redirect URI.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        update = dict(parts.update or {})
        if settings.XERO_SANDBOX_ENABLED and request.path_info.startswith(
            f"/{settings.XERO_SANDBOX_PREFIX}/"
        ):
            update["style-src"] = [*update.get("style-src", []), "'unsafe-inline'"]
            parts.replace = {**(parts.replace or {}), "form-action": None}
        else:
            update["form-action"] = [*update.get("form-action", []), _origin(settings.XERO_LOGIN_BASE)]
        parts.update = update
        return parts


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
