from django.shortcuts import redirect, render, resolve_url
from django_htmx.http import HttpResponseClientRedirect


def render_page_or_partial(request, template: str, partial: str, context: dict, status: int = 200):
    """Render the whole page, or only `template#partial` for a (non-boosted) htmx request."""
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)


def redirect_after_post(request, to, *args, **kwargs):
    """After a successful form post: a normal redirect, or for htmx a full-page client redirect
    (htmx would otherwise swap the whole next page into the form's place)."""
    if request.htmx:
        return HttpResponseClientRedirect(resolve_url(to, *args, **kwargs))
    return redirect(to, *args, **kwargs)
