import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from evillage.core.money import SUPPORTED_CURRENCIES

CURRENCY_CHOICES = [(code, code) for code in SUPPORTED_CURRENCIES]


def new_form_token() -> str:
    return secrets.token_urlsafe(16)


class _MoneyForm(forms.Form):
    # Typed as text and parsed by core.money.to_minor in the view ("12.50" -> 1250).
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    # One per form shown: a double-clicked or resent form makes one payment, not two.
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)


class TopUpForm(_MoneyForm):
    pass


class WithdrawForm(_MoneyForm):
    bank_account_name = forms.CharField(label=_("Account holder"), max_length=80)
    bank_account_number = forms.CharField(
        label=_("Account number"),
        max_length=60,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("6 to 34 digits; spaces are fine."),
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=80)
