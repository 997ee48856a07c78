from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, credentials, *args, **kwargs):
    """What a locked-out client sees after too many failed logins (django-axes)."""
    message = _("Too many failed login attempts. Try again in 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_many_attempts", "message": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
