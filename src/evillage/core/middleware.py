from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

_API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(_API_PREFIX)


_CODES = {404: ("not_found", "No such API endpoint."), 405: ("method_not_allowed", None)}


class JsonApiErrorsMiddleware:
    """Keep every answer under /api/ JSON: Django's own 404 and 405 responses are HTML
    (an unknown path, a missing trailing slash, a wrong method)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in _CODES
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _CODES[response.status_code]
            if message is None:
                message = f"{request.method} is not allowed here; use {response.get('Allow', '')}."
            json_response = JsonResponse(
                {"code": code, "message": message}, status=response.status_code
            )
            if "Allow" in response:
                json_response["Allow"] = response["Allow"]
            return json_response
        return response


class RejectNulCharactersMiddleware:
    """Answer 400 to a NUL character in the path or query string.

    PostgreSQL cannot store or compare text containing NUL, so such a request would
    otherwise end in a database error (a 500) on whichever query touches it first.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path or "\x00" in query:
            message = "The address contains a NUL character."
            if is_api_request(request):
                return JsonResponse({"code": "bad_request", "message": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain")
        return self.get_response(request)
