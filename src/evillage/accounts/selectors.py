from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from evillage.accounts.models import ApiToken, IdentityVerification, User, VerificationStatus
from evillage.core.errors import NotFound


def user_find_by_login(*, login: str) -> User | None:
    """Find a user by phone or email as typed at login; None when unknown."""
    from evillage.accounts.phones import normalise_phone_or_none

    login = login.strip()
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    phone = normalise_phone_or_none(login)
    if phone:
        return User.objects.filter(phone=phone).first()
    return User.objects.filter(username=login).first()


def user_is_verified(*, user: User) -> bool:
    """True once an operator approved the user's identity verification."""
    return (
        user.is_authenticated
        and user.verifications.filter(status=VerificationStatus.APPROVED).exists()
    )


def user_roles(*, user: User) -> list[str]:
    return sorted(user.roles.values_list("role", flat=True))


def users_with_verified_flag(queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """Users annotated with `is_verified`, for lists (one query, no per-row lookups)."""
    approved = IdentityVerification.objects.filter(
        user=OuterRef("pk"), status=VerificationStatus.APPROVED
    )
    return (User.objects.all() if queryset is None else queryset).annotate(
        is_verified=Exists(approved)
    )


def verification_latest(*, user: User) -> IdentityVerification | None:
    """The user's most recent identity verification request, if any."""
    return user.verifications.order_by("-submitted_at", "-pk").first()


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return user.api_tokens.order_by("-created_at", "-pk")


def api_token_get(*, user: User, public_id: str) -> ApiToken:
    """One of the user's own tokens; someone else's token is as good as missing."""
    token = user.api_tokens.filter(public_id=public_id).first()
    if token is None:
        raise NotFound(_("No such token."), code="token_not_found")
    return token
