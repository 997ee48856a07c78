"""Accounts API: registration, personal tokens, the signed-in user's profile and verification.

No schema here carries a full ID number or a password hash. Passwords and ID numbers
sent in are left out of the schemas' repr (error reports print local variables) and the
operations that take them are marked with @sensitive_variables.
"""

from datetime import datetime

from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from ninja import Field, Router, Schema, Status

from evillage.accounts import selectors, services
from evillage.accounts.api_auth import USER_AUTH, TokenAuth
from evillage.accounts.forms import LOGIN_MAX_LENGTH
from evillage.accounts.models import IdentityVerification, User
from evillage.core.api_schemas import WRITE_ERRORS, ErrorOut
from evillage.core.errors import NotFound, ValidationFailed
from evillage.places.selectors import place_get

router = Router(tags=["auth"])


class PlaceOut(Schema):
    key: str
    name: str


class UserOut(Schema):
    public_id: str
    display_name: str
    phone: str | None
    email: str | None
    language: str
    residence: PlaceOut | None
    roles: list[str]
    verified: bool
    date_joined: datetime


class RegisterIn(Schema):
    phone: str | None = None
    email: str | None = None
    password: str = Field(repr=False)
    display_name: str = ""
    language: str = ""


class TokenIn(Schema):
    # Longer than any email: refused here, before django-axes logs it (a 500 on PostgreSQL).
    login: str = Field(max_length=LOGIN_MAX_LENGTH)
    password: str = Field(repr=False)
    name: str = ""


class TokenOut(Schema):
    token: str


class ProfilePatch(Schema):
    display_name: str | None = None
    language: str | None = None
    residence: str | None = None


class VerificationIn(Schema):
    legal_name: str
    document_type: str
    number: str = Field(repr=False)


class VerificationOut(Schema):
    public_id: str
    document_type: str
    number_masked: str
    legal_name: str
    status: str
    submitted_at: datetime
    reviewed_at: datetime | None
    decision_reason: str


def _user_out(user: User) -> dict:
    residence = user.residence
    return {
        "public_id": user.public_id,
        "display_name": user.display_name,
        "phone": user.phone,
        "email": user.email,
        "language": user.language,
        "residence": {"key": residence.key, "name": residence.name} if residence else None,
        "roles": selectors.user_roles(user=user),
        "verified": selectors.user_is_verified(user=user),
        "date_joined": user.date_joined,
    }


def _verification_out(verification: IdentityVerification) -> dict:
    return {
        "public_id": verification.public_id,
        "document_type": verification.document_type,
        "number_masked": verification.number_masked,
        "legal_name": verification.legal_name,
        "status": verification.status,
        "submitted_at": verification.submitted_at,
        "reviewed_at": verification.reviewed_at,
        "decision_reason": verification.decision_reason,
    }


@router.post("/register", response={201: UserOut, frozenset({400, 409, 422}): ErrorOut})
@sensitive_variables("payload")
def register(request, payload: RegisterIn):
    """Create an account with a phone number (+86 or +62) or an email address."""
    user = services.user_register(**payload.dict())
    return Status(201, _user_out(user))


@router.post("/tokens", response={201: TokenOut, frozenset({401, 422, 429}): ErrorOut})
@sensitive_variables("payload", "raw")
def token_create(request, payload: TokenIn):
    """Exchange a phone number or email and password for a personal token, shown once.

    Failed attempts count towards the login lockout (429 `too_many_attempts`).
    """
    # authenticate() with the request is what lets django-axes count and lock.
    user = authenticate(request, username=payload.login, password=payload.password)
    if user is None:
        return Status(
            401,
            {"code": "invalid_credentials", "message": _("Wrong phone number, email or password.")},
        )
    # A token issued is a successful login: axes clears the failures, last_login moves.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    _token, raw = services.api_token_create(user=user, name=payload.name or "API")
    return Status(201, {"token": raw})


@router.delete("/tokens/current", response={204: None, 401: ErrorOut}, auth=[TokenAuth()])
def token_revoke_current(request):
    """Revoke the token this request was made with."""
    services.api_token_revoke(token=request.api_token)
    return Status(204, None)


@router.get("/me", response={200: UserOut, 401: ErrorOut}, auth=USER_AUTH)
def me(request):
    return _user_out(request.auth)


@router.patch("/me", response={200: UserOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
def me_update(request, payload: ProfilePatch):
    """Change the display name, preferred language or village of residence (by place key)."""
    user = request.auth
    with transaction.atomic():
        services.user_update_profile(
            user=user, display_name=payload.display_name, language=payload.language
        )
        if payload.residence is not None:
            try:
                village = place_get(key=payload.residence)
            except NotFound as exc:
                raise ValidationFailed(
                    _("No place has this key."), code="unknown_place", field="residence"
                ) from exc
            services.user_set_residence(user=user, village=village)
    return _user_out(user)


@router.post(
    "/me/verification", response={201: VerificationOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH
)
@sensitive_variables("payload")
def verification_submit(request, payload: VerificationIn):
    """Ask to be verified as a seller. Only a masked number is kept and returned."""
    verification = services.verification_submit(user=request.auth, **payload.dict())
    return Status(201, _verification_out(verification))


@router.get(
    "/me/verification",
    response={200: VerificationOut, frozenset({401, 404}): ErrorOut},
    auth=USER_AUTH,
)
def verification_current(request):
    verification = selectors.verification_latest(user=request.auth)
    if verification is None:
        raise NotFound(_("You have not asked to be verified."), code="no_verification")
    return _verification_out(verification)
