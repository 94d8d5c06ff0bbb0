from django.shortcuts import render


def render_page_or_partial(request, template: str, partial: str, context: dict, status: int = 200):
    """Render the whole page, or only `template#partial` for a (non-boosted) htmx request."""
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)
