from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

VARY_ON = ("HX-Request", "HX-History-Restore-Request")


def wants_partial(request) -> bool:
    """An htmx request that swaps part of a page. Boosted links and history restores (htmx asks
    for a page it has no snapshot of, e.g. after Back) need the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_partial(request, template: str, partial: str, context: dict, status: int = 200):
    """Render the whole page, or only `template#partial` for an htmx request that wants a part.

    The same URL answers two ways, so the response varies on the htmx headers that choose: no cache
    (the browser's included) may hand a partial to a plain visit of the URL, or the page to htmx."""
    name = f"{template}#{partial}" if wants_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, VARY_ON)
    return response


def redirect_after_post(request, to, *args, **kwargs):
    """After a successful form post: a normal redirect, or for htmx a full-page client redirect
    (htmx would otherwise swap the whole next page into the form's place)."""
    if request.htmx:
        response = HttpResponseClientRedirect(resolve_url(to, *args, **kwargs))
    else:
        response = redirect(to, *args, **kwargs)
    patch_vary_headers(response, VARY_ON)
    return response
