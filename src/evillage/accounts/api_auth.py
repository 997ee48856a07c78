"""API authentication: a personal bearer token, or the browser session (with CSRF).

Use `auth=USER_AUTH` on an operation that needs a signed-in user; `request.auth`
is then the User. With a bearer token, `request.api_token` is the ApiToken used.
"""

import functools
import hashlib

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from ninja.security import HttpBearer, SessionAuth

from evillage.accounts.models import ApiToken


@sensitive_variables("token")
def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenAuth(HttpBearer):
    # Keep the raw token out of error reports, in Django Ninja's frame too.
    @sensitive_variables("token", "auth_value", "parts", "headers")
    def __call__(self, request):
        return super().__call__(request)

    @sensitive_variables("token")
    def authenticate(self, request, token):
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(token), user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        # Write at most once a minute: a token used in a loop must not write every request.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


USER_AUTH = [TokenAuth(), SessionAuth()]


def session_or_token_required(view):
    """For the private files the API links to (conversation photos, dispute evidence,
    hidden reviews' photos): a signed-in browser, or `Authorization: Bearer <token>`.
    A bad token is 401 (an API client cannot follow a login page); no credentials at
    all sends a browser to the login page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        token_given = bool(request.headers.get("Authorization"))
        if not request.user.is_authenticated and token_given and TokenAuth()(request) is None:
            response = HttpResponse("Invalid or revoked token.", status=401)
            response["WWW-Authenticate"] = "Bearer"
            return response
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped
