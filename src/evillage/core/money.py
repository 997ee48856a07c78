"""Money is an integer count of minor units plus an ISO 4217 currency code.

Never a float. Parsing goes through Decimal; display goes through Babel in the
reader's locale.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision
from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed

SUPPORTED_CURRENCIES = ("CNY", "IDR")
# An upper bound that no real listing reaches; it keeps typos (and overflow) out.
MAX_AMOUNT_MAJOR = Decimal("10000000000")  # ten billion in major units


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if self.currency not in SUPPORTED_CURRENCIES:
            raise ValueError(f"unsupported currency {self.currency!r}")

    @property
    def decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-minor_digits(self.currency))

    def format(self, locale: str = "en") -> str:
        return format_money(self.amount, self.currency, locale)


def to_minor(value: str | int | Decimal, currency: str, *, field: str = "price") -> int:
    """Parse a price typed by a person ("12.50") into minor units; refuse anything doubtful.

    "12,50" is refused rather than guessed, and so is a rupiah amount written with
    thousands dots ("125.000"): read as a decimal it would be Rp125, a thousand times
    less than the seller meant.
    """
    if currency not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(
            _("Unsupported currency %(currency)s.") % {"currency": currency},
            code="bad_currency",
            field=field,
        )
    text = str(value).strip()
    if currency == "IDR" and _THOUSANDS_DOTS.fullmatch(text):
        raise ValidationFailed(
            _("Type rupiah without thousands dots, e.g. 125000."),
            code="bad_amount",
            field=field,
        )
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _not_a_number(field) from None
    if not amount.is_finite():
        raise _not_a_number(field)
    if amount <= 0:
        raise ValidationFailed(
            _("The amount must be greater than zero."), code="bad_amount", field=field
        )
    if amount > MAX_AMOUNT_MAJOR:
        raise ValidationFailed(_("The amount is too large."), code="bad_amount", field=field)
    # Rupiah have two minor digits on paper, none in any shop.
    if currency == "IDR" and amount != amount.to_integral_value():
        raise ValidationFailed(
            _("Rupiah prices are whole numbers."), code="bad_amount", field=field
        )
    digits = minor_digits(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise ValidationFailed(
            _("%(currency)s amounts have at most %(digits)d decimal places.")
            % {"currency": currency, "digits": digits},
            code="bad_amount",
            field=field,
        )
    return int(amount.scaleb(minor_digits(currency)).to_integral_value(rounding=ROUND_HALF_UP))


_THOUSANDS_DOTS = re.compile(r"\d{1,3}(\.\d{3})+")


def check_minor(amount: int, currency: str, *, field: str = "price") -> int:
    """An amount already in minor units (from the API): whole rupiah only."""
    if currency == "IDR" and amount % 10 ** minor_digits(currency):
        raise ValidationFailed(
            _("Rupiah prices are whole numbers."), code="bad_amount", field=field
        )
    return amount


def _not_a_number(field: str) -> ValidationFailed:
    return ValidationFailed(_("Enter a number such as 12.50."), code="bad_amount", field=field)


def format_money(amount: int, currency: str, locale: str = "en") -> str:
    babel_locale = {"zh-hans": "zh_Hans_CN", "id": "id_ID", "en": "en"}.get(locale, locale)
    value = Decimal(amount).scaleb(-minor_digits(currency))
    if value == value.to_integral_value() and currency == "IDR":
        # Rupiah prices are whole numbers in practice; "Rp125.000,00" reads as noise.
        return format_currency(
            value, currency, format="¤#,##0", currency_digits=False, locale=babel_locale
        )
    return format_currency(value, currency, locale=babel_locale)
