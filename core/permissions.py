from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404


def practice_required(view):
    """Views that show practice data need a member; a user with no practice sees a 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.practice is None:
            raise Http404("You do not belong to a practice.")
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    """Owners and admins only (connecting Xero, managing users, billing changes)."""

    @wraps(view)
    @practice_required
    def wrapper(request, *args, **kwargs):
        if not request.membership.can_manage:
            raise PermissionDenied("Only owners and admins can do this.")
        return view(request, *args, **kwargs)

    # Marks the view for tests/core/test_roles.py, which fails if a manager-only URL is missing
    # from its matrix (functools.wraps carries the mark through decorators such as require_POST).
    wrapper.manager_only = True
    return wrapper
