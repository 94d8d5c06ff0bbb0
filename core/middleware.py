from django.core.exceptions import ObjectDoesNotExist


class PracticeMiddleware:
    """Sets request.practice and request.membership for signed-in users (None otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.practice = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                membership = user.membership
            except ObjectDoesNotExist:
                membership = None
            if membership is not None:
                request.membership = membership
                request.practice = membership.practice
        return self.get_response(request)
