"""Rendering the sandbox's HTML pages without the app's context processors (and so without its
database): the CSRF token is handed to the template directly."""

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string


def sandbox_base(request) -> str:
    return request.build_absolute_uri(f"/{settings.XERO_SANDBOX_PREFIX}")


def render_page(request, template: str, context: dict | None = None, status: int = 200) -> HttpResponse:
    context = dict(context or {})
    context.setdefault("csrf_token", get_token(request))
    context.setdefault("home_url", f"{sandbox_base(request)}/")
    context.setdefault("base_url", sandbox_base(request))
    return HttpResponse(render_to_string(template, context), status=status)
