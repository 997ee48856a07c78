from axes.models import AccessAttempt
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from evillage.accounts.phones import normalise_phone_or_none

AXES_USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def lockout_response(request, credentials, *args, **kwargs):
    """What a locked-out client sees after too many failed logins (django-axes)."""
    message = _("Too many failed login attempts. Try again in 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "too_many_attempts", "message": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


def lockout_username(request, credentials=None) -> str:
    """The login as axes should count it: one account, however its phone or email is typed.

    Without this, "13812345678", "+86 138 1234 5678" and "138-1234-5678" would each get
    their own five attempts. Use as AXES_USERNAME_CALLABLE.

    Cut to the length axes stores: an absurdly long login (the admin's login form does not
    limit it) would otherwise overflow the column, a 500 on PostgreSQL.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    login = (credentials if credentials is not None else request.POST).get(field)
    login = (login or "").strip()
    key = login.lower() if "@" in login else normalise_phone_or_none(login) or login
    return key[:AXES_USERNAME_MAX_LENGTH]
