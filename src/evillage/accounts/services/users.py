"""Registration, profile and roles."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from evillage.accounts.models import Role, User, UserRole
from evillage.accounts.phones import normalise_phone
from evillage.accounts.services.operators import operator_access_grant, operator_access_revoke
from evillage.core.errors import Conflict, ValidationFailed
from evillage.places.models import Level, Place

DISPLAY_NAME_MAX = User._meta.get_field("display_name").max_length


@dataclass(frozen=True)
class Registration:
    """What a registration will store, once checked: normalised and free to take."""

    phone: str | None
    email: str | None
    display_name: str

    @property
    def username(self) -> str:
        return self.phone or self.email or ""


@sensitive_variables("password")
def registration_check(
    *, phone: str | None, email: str | None, password: str, display_name: str = ""
) -> Registration:
    """Validate and normalise a registration without writing anything.

    Raises ValidationFailed (bad_phone, bad_email, login_required, weak_password, ...)
    or Conflict (phone_taken, email_taken).
    """
    phone = normalise_phone(phone) if phone and phone.strip() else None
    email = _normalise_email(email) if email and email.strip() else None
    if phone is None and email is None:
        raise ValidationFailed(
            _("Enter a phone number or an email address."), code="login_required", field="phone"
        )
    registration = Registration(
        phone=phone, email=email, display_name=_clean_display_name(display_name)
    )
    _check_login_free(phone=phone, email=email)
    _check_password(
        password,
        user=User(
            username=registration.username,
            phone=phone,
            email=email,
            display_name=registration.display_name,
        ),
    )
    return registration


@sensitive_variables("password")
def user_register(
    *,
    phone: str | None,
    email: str | None,
    password: str,
    display_name: str = "",
    language: str = "",
) -> User:
    """Create a user who signs in with the phone number or email given; every user is a buyer."""
    registration = registration_check(
        phone=phone, email=email, password=password, display_name=display_name
    )
    language = _clean_language(language)
    user = User(
        username=registration.username,
        phone=registration.phone,
        email=registration.email,
        display_name=registration.display_name,
        language=language,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            UserRole.objects.create(user=user, role=Role.BUYER)
    except IntegrityError as exc:
        # Another registration took the same phone or email since the check above.
        _check_login_free(phone=registration.phone, email=registration.email)
        raise Conflict(_("This account already exists."), code="account_exists") from exc
    return user


def user_update_profile(
    *, user: User, display_name: str | None = None, language: str | None = None
) -> User:
    """Change the fields given (None leaves a field as it is)."""
    fields = []
    if display_name is not None:
        user.display_name = _clean_display_name(display_name)
        fields.append("display_name")
    if language is not None:
        user.language = _clean_language(language)
        fields.append("language")
    if fields:
        user.save(update_fields=fields)
    return user


def user_set_residence(*, user: User, village: Place) -> User:
    """Record the village the user lives in (sellers need one to be verified)."""
    if village is None or village.level != Level.VILLAGE:
        raise ValidationFailed(
            _("Choose a village as your residence."), code="not_a_village", field="residence"
        )
    user.residence = village
    user.save(update_fields=["residence"])
    return user


@transaction.atomic
def role_grant(*, user: User, role: str) -> UserRole:
    """Give a role; granting a role the user already has changes nothing.

    An operator also gets into the admin, with the operators' permissions."""
    _check_role(role)
    user_role, _created = UserRole.objects.get_or_create(user=user, role=role)
    if role == Role.OPERATOR:
        operator_access_grant(user=user)
    return user_role


@transaction.atomic
def role_revoke(*, user: User, role: str) -> None:
    _check_role(role)
    UserRole.objects.filter(user=user, role=role).delete()
    if role == Role.OPERATOR:
        operator_access_revoke(user=user)


def _normalise_email(raw: str) -> str:
    # The domain is case-insensitive by standard; the local part is kept as typed but
    # compared case-insensitively (see the user_email_unique_ci constraint).
    email = User.objects.normalize_email(raw.strip())
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("Enter a valid email address."), code="bad_email", field="email"
        ) from exc
    return email


def _check_login_free(*, phone: str | None, email: str | None) -> None:
    if phone and User.objects.filter(Q(phone=phone) | Q(username=phone)).exists():
        raise Conflict(
            _("An account with this phone number already exists."),
            code="phone_taken",
            field="phone",
        )
    if email and User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        raise Conflict(
            _("An account with this email address already exists."),
            code="email_taken",
            field="email",
        )


@sensitive_variables("password")
def _check_password(password: str, *, user: User) -> None:
    try:
        password_validation.validate_password(password or "", user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages), code="weak_password", field="password"
        ) from exc


def _clean_display_name(display_name: str) -> str:
    display_name = " ".join((display_name or "").split())
    if len(display_name) > DISPLAY_NAME_MAX:
        raise ValidationFailed(
            _("The display name can be at most %(max)d characters.") % {"max": DISPLAY_NAME_MAX},
            code="display_name_too_long",
            field="display_name",
        )
    return display_name


def _clean_language(language: str) -> str:
    language = (language or "").strip().lower()
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationFailed(
            _("Choose one of the site's languages."), code="bad_language", field="language"
        )
    return language


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), code="unknown_role", field="role")
