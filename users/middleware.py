from users.services import user_touch_last_seen


class LastSeenMiddleware:
    """Records each user's last request for presence, writing at most once a minute per user.

    It looks at the user after the view has run, because JWT authentication
    happens inside DRF and DRF puts the user it found back on the Django request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            user_touch_last_seen(user=user)
        return response
