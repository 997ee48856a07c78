"""Identity verification: sellers ask, operators decide. Full ID numbers are never stored."""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as NumberInvalid
from stdnum.id import nik

from evillage.accounts.models import (
    IdDocument,
    IdentityVerification,
    Role,
    User,
    VerificationStatus,
)
from evillage.accounts.services.users import role_grant
from evillage.core.errors import Conflict, PermissionDenied, ValidationFailed

LEGAL_NAME_MAX = IdentityVerification._meta.get_field("legal_name").max_length
REASON_MAX = IdentityVerification._meta.get_field("decision_reason").max_length
ID_NUMBER_DIGEST_SALT = "evillage.accounts.id_number"

# Error reports (500 emails, logs) show the local variables of each frame: the raw ID
# number is in `number` in these functions and in those they call (stdnum's included).


def _validate_resident_id(number: str) -> str:
    """stdnum's checks of a resident ID, less one: stdnum also wants the region code to
    have existed in the holder's birth year. A number carries the code of the place
    where it was issued, so people born before their county got its code (沭阳县,
    321322, dates from 1996) hold such numbers by the million."""
    number = ric.compact(number).upper()
    if len(number) != 18:
        raise InvalidLength()
    if not number[:17].isdigit():
        raise InvalidFormat()
    if ric.get_birth_date(number) > timezone.localdate():
        raise InvalidComponent()
    if ric.calc_check_digit(number) != number[-1]:
        raise InvalidChecksum()
    found = {key for _part, props in numdb.get("cn/loc").info(number[:6]) for key in props}
    if "county" not in found:
        raise InvalidComponent()
    return number


_ID_NUMBER_VALIDATORS = {
    IdDocument.CN_RESIDENT_ID: _validate_resident_id,
    IdDocument.ID_NIK: nik.validate,
}


@sensitive_variables("number")
def id_number_clean(*, document_type: str, number: str) -> str:
    """The compact form of a valid ID number (checksum, birth date and place checked)."""
    validate = _ID_NUMBER_VALIDATORS.get(document_type)
    if validate is None:
        raise ValidationFailed(
            _("Choose a document type."), code="bad_document_type", field="document_type"
        )
    # People type ID numbers in groups ("110105 19491231 002X"); stdnum's RIC keeps spaces.
    number = re.sub(r"[\s.-]", "", number or "")
    try:
        return validate(number)
    except NumberInvalid as exc:
        if document_type == IdDocument.CN_RESIDENT_ID:
            message = _(
                "This is not a valid resident identity card number: check its 18 characters."
            )
        else:
            message = _("This is not a valid NIK: check its 16 digits.")
        raise ValidationFailed(message, code="bad_id_number", field="number") from exc


@sensitive_variables("number")
def id_number_mask(number: str) -> str:
    """Enough for the holder to recognise the number, too little to rebuild it.

    Shows the first four characters (province and city) and the two before the last;
    the check digit and everything else is hidden, length kept:
    320311199001010018 -> 3203***********01*, NIK 3171011708450007 -> 3171*********00*.
    Each hidden character multiplies the work of guessing the number from its digest;
    hiding the check digit also stops it from ruling out ten of eleven guesses for free.
    (Requests stored before this rule show the first and last four characters.)
    """
    head = number[:4]
    return head + "*" * (len(number) - len(head) - 3) + number[-3:-1] + "*"


def id_number_digest_key() -> str:
    """ID_NUMBER_DIGEST_KEY, or SECRET_KEY when it is unset (as all digests were keyed before).

    A dedicated key keeps a leaked SECRET_KEY (or one rotated) from touching the digests:
    ID numbers come from a space small enough that whoever holds the key can find
    the number behind a digest by trying them all.
    """
    return getattr(settings, "ID_NUMBER_DIGEST_KEY", "") or settings.SECRET_KEY


@sensitive_variables("number", "value")
def id_number_digest(*, document_type: str, number: str) -> str:
    """HMAC-SHA256 keyed with id_number_digest_key(): finds reuse without storing the number.

    Changing the key (setting or changing ID_NUMBER_DIGEST_KEY, or SECRET_KEY while it is
    the fallback) breaks duplicate detection against digests made before: an ID number
    already approved under the old key could verify a second account.
    """
    value = f"{document_type}:{number}"
    return salted_hmac(
        ID_NUMBER_DIGEST_SALT, value, secret=id_number_digest_key(), algorithm="sha256"
    ).hexdigest()


@sensitive_variables("number")
def verification_submit(
    *, user: User, legal_name: str, document_type: str, number: str
) -> IdentityVerification:
    """Ask operators to verify the user's identity (a seller needs this).

    Stores only the masked number and its keyed digest.
    """
    legal_name = " ".join((legal_name or "").split())
    if not legal_name:
        raise ValidationFailed(
            _("Enter your name as on the document."), code="legal_name_required", field="legal_name"
        )
    if len(legal_name) > LEGAL_NAME_MAX:
        raise ValidationFailed(
            _("The name is too long."), code="legal_name_too_long", field="legal_name"
        )
    number = id_number_clean(document_type=document_type, number=number)
    if user.residence_id is None:
        raise ValidationFailed(
            _("Set your village of residence in your profile first."), code="residence_required"
        )
    digest = id_number_digest(document_type=document_type, number=number)
    open_requests = set(
        user.verifications.filter(
            status__in=[VerificationStatus.PENDING, VerificationStatus.APPROVED]
        ).values_list("status", flat=True)
    )
    if VerificationStatus.APPROVED in open_requests:
        raise Conflict(_("Your identity is already verified."), code="already_verified")
    if VerificationStatus.PENDING in open_requests:
        raise Conflict(_("Your earlier request is still being reviewed."), code="already_pending")
    _check_number_free(digest=digest, user=user)
    try:
        with transaction.atomic():
            return IdentityVerification.objects.create(
                user=user,
                legal_name=legal_name,
                document_type=document_type,
                number_masked=id_number_mask(number),
                number_digest=digest,
            )
    except IntegrityError as exc:
        # The one-pending-request constraint: a second submission raced this one.
        raise Conflict(
            _("Your earlier request is still being reviewed."), code="already_pending"
        ) from exc


def verification_approve(
    *, verification: IdentityVerification, operator: User
) -> IdentityVerification:
    """Approve a pending request and make the user a seller. Returns the updated row."""
    _check_operator(operator=operator, verification=verification)
    with transaction.atomic():
        locked = _lock_pending(verification)
        _check_number_free(digest=locked.number_digest, user=locked.user)
        _record_decision(locked, operator=operator, status=VerificationStatus.APPROVED)
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=["status", "reviewed_at", "reviewed_by", "decision_reason"]
                )
        except IntegrityError as exc:
            raise _number_in_use() from exc
        role_grant(user=locked.user, role=Role.SELLER)
    return locked


def verification_reject(
    *, verification: IdentityVerification, operator: User, reason: str
) -> IdentityVerification:
    """Reject a pending request; the reason is shown to the user."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(
            _("Give the reason for the rejection."), code="reason_required", field="reason"
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("The reason is too long."), code="reason_too_long", field="reason")
    _check_operator(operator=operator, verification=verification)
    with transaction.atomic():
        locked = _lock_pending(verification)
        _record_decision(locked, operator=operator, status=VerificationStatus.REJECTED)
        locked.decision_reason = reason
        locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "decision_reason"])
    return locked


def _check_operator(*, operator: User, verification: IdentityVerification) -> None:
    if not (operator.is_staff or operator.has_role(Role.OPERATOR)):
        raise PermissionDenied(
            _("Only operators review identity verifications."), code="not_an_operator"
        )
    if operator.pk == verification.user_id:
        raise PermissionDenied(
            _("Another operator must review your own verification."), code="own_verification"
        )


def _lock_pending(verification: IdentityVerification) -> IdentityVerification:
    locked = (
        IdentityVerification.objects.select_for_update()
        .select_related("user")
        .get(pk=verification.pk)
    )
    if locked.status != VerificationStatus.PENDING:
        raise Conflict(_("This request has already been reviewed."), code="not_pending")
    return locked


def _record_decision(verification: IdentityVerification, *, operator: User, status: str) -> None:
    verification.status = status
    verification.reviewed_at = timezone.now()
    verification.reviewed_by = operator


def _check_number_free(*, digest: str, user: User) -> None:
    taken = (
        IdentityVerification.objects.filter(
            number_digest=digest, status=VerificationStatus.APPROVED
        )
        .exclude(user=user)
        .exists()
    )
    if taken:
        raise _number_in_use()


def _number_in_use() -> Conflict:
    return Conflict(
        _("This ID number already verifies another account."),
        code="id_number_in_use",
        field="number",
    )
