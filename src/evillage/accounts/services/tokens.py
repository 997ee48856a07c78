"""Personal API tokens: the raw token is shown once, only its digest is kept."""

import secrets

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from evillage.accounts.api_auth import token_digest
from evillage.accounts.models import ApiToken, User
from evillage.core.errors import Conflict, ValidationFailed

TOKEN_NAME_MAX = ApiToken._meta.get_field("name").max_length
MAX_TOKENS_PER_USER = 20
TOKEN_PREFIX = "evt_"  # noqa: S105 (a marker that helps secret scanners, not a secret)


@sensitive_variables("raw")
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a personal API token. The raw token is returned once and never stored."""
    name = " ".join((name or "").split())
    if len(name) > TOKEN_NAME_MAX:
        raise ValidationFailed(_("The name is too long."), code="name_too_long", field="name")
    if user.api_tokens.count() >= MAX_TOKENS_PER_USER:
        raise Conflict(
            _("You have too many tokens: revoke one you no longer use."), code="too_many_tokens"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=token_digest(raw), prefix=raw[: len(TOKEN_PREFIX) + 4]
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    """Delete the token: requests that send it are refused from now on."""
    token.delete()
