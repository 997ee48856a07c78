"""Django's last-resort error pages, in JSON for the API (`/api/`) and HTML elsewhere."""

from django.http import JsonResponse
from django.views import defaults

from evillage.core.middleware import is_api_request


def bad_request(request, exception):
    """Raised before any view ran: e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if is_api_request(request):
        return JsonResponse(
            {"code": "bad_request", "message": "The request could not be read (too large?)."},
            status=400,
        )
    return defaults.bad_request(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse(
            {"code": "server_error", "message": "Something went wrong on our side; it is logged."},
            status=500,
        )
    return defaults.server_error(request)
