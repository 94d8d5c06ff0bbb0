from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def normalise_email(value: str | None) -> str | None:
    """Emails are usernames, stored lower-case without surrounding spaces."""
    return value.strip().lower() if value else value


class EmailBackend(ModelBackend):
    """Users sign in with their email address (stored lower-case as the username)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(request, username=normalise_email(username), password=password, **kwargs)


def axes_username(request, credentials: dict | None) -> str | None:
    """The account django-axes counts failures against: the email as EmailBackend reads it, so
    changing its case or adding spaces does not buy an attacker more attempts."""
    source = credentials if credentials else getattr(request, "POST", {})
    return normalise_email(source.get("username"))


def client_ip(request) -> str | None:
    """The address django-axes throttles. Directly exposed: REMOTE_ADDR. Behind our reverse proxy
    (BEHIND_PROXY), REMOTE_ADDR is the proxy itself, so take the address the proxy appended to
    X-Forwarded-For (the right-most entry; anything left of it came from the client and can be
    forged)."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
