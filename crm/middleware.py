from django.http import JsonResponse
from django.utils.translation import gettext as _


class ApiNotFoundMiddleware:
    """An unknown path under /api/ answers JSON like every other API error, even with DEBUG=1
    (where Django would render its HTML debug page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse({"detail": _("Not found.")}, status=404)
        return response
