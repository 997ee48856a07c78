"""Phone numbers of China and Indonesia, validated and stored as E.164."""

import phonenumbers
from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed

SUPPORTED_REGIONS = ("CN", "ID")


def normalise_phone(raw: str) -> str:
    """Return the E.164 form of a Chinese or Indonesian mobile or fixed number.

    A number without a country code is tried as Chinese, then as Indonesian.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed(_("Enter a phone number."), code="phone_required", field="phone")
    regions = (None,) if text.startswith("+") else SUPPORTED_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.region_code_for_number(
            number
        ) in SUPPORTED_REGIONS and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValidationFailed(
        _("Enter a valid Chinese (+86) or Indonesian (+62) phone number."),
        code="bad_phone",
        field="phone",
    )


def normalise_phone_or_none(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except ValidationFailed:
        return None
