from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _

from crm.api.parsers import MAX_DEPTH, TOO_DEEP, is_json, too_deep


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
            return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
        return response


class JsonBodyMiddleware:
    """A JSON body nested past `crm.api.parsers.MAX_DEPTH` is a 400 before any view sees it.

    Python's json module recurses once per level: thousands of `[` are a RecursionError, a 500, in
    whatever reads them, be it the project's parser (which refuses them itself), a DRF parser a view
    names, or `json.loads(request.body)` in a webhook. Everything else about a body is left to the view
    (a webhook acknowledges a ping that is not JSON at all). A JSON body past
    DATA_UPLOAD_MAX_MEMORY_SIZE is a 413: DRF's parsers would read one of any size.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_json(request.META.get("CONTENT_TYPE", "")):
            try:
                body = request.body
            except RequestDataTooBig:
                detail = _("The body is larger than %(limit)s bytes.") % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
                return JsonResponse({"detail": detail, "code": "request_too_large"}, status=413)
            if too_deep(body):
                return JsonResponse({"detail": TOO_DEEP % {"limit": MAX_DEPTH}, "code": "parse_error"}, status=400)
        return self.get_response(request)
