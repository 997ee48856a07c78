"""WebSocket authentication: the browser's session cookie (with the Origin checked against
ALLOWED_HOSTS, as a browser sends the cookie to any page that asks), or an API client's
personal token in the `Authorization: Bearer <token>` header of the handshake (not sent
by browsers on their own, so no Origin check is needed)."""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from evillage.accounts.api_auth import token_digest
from evillage.accounts.models import ApiToken


@database_sync_to_async
def _token_user(token: str):
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), user__is_active=True)
        .first()
    )
    return api_token.user if api_token else None


def _bearer_token(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return ""


class MessengerAuth:
    def __init__(self, inner):
        self.inner = inner
        self.browser = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope, receive, send):
        token = _bearer_token(scope)
        if not token:
            return await self.browser(scope, receive, send)
        user = await _token_user(token)
        return await self.inner(dict(scope, user=user or AnonymousUser()), receive, send)
