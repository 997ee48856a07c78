"""Forms of the order pages. They only shape input; the rules live in orders.services.

Amounts are typed in major units ("12.50") and turned into minor units by the views with
core.money.to_minor, in the order's currency.
"""

import secrets

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from evillage.orders.models import MAX_LINE_QUANTITY, RefundKind
from evillage.places.forms import PlaceField
from evillage.places.models import Level, Place


def new_form_token() -> str:
    return secrets.token_urlsafe(16)


class TokenField(forms.RegexField):
    """One per form shown: a double-clicked or resent form acts once (idempotency key)."""

    def __init__(self, **kwargs):
        super().__init__(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, **kwargs)


def _amount_field(label, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        **kwargs,
    )


class AddToCartForm(forms.Form):
    sku = forms.CharField(label=_("Variant"), max_length=40)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_LINE_QUANTITY, initial=1
    )


class CartQuantityForm(forms.Form):
    sku = forms.CharField(max_length=40, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_LINE_QUANTITY)


class CheckoutForm(forms.Form):
    token = TokenField()
    # "Buy now" checks out one item of the cart; empty means the whole cart.
    only = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    place = PlaceField(
        label=_("Ship to (county, town or village)"),
        level=None,
        help_text=_("Type the place name and choose it from the list."),
    )
    street = forms.CharField(label=_("Street and house"), max_length=200)
    name = forms.CharField(label=_("Recipient"), max_length=60)
    phone = forms.CharField(
        label=_("Recipient's phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Anything from county down: a province or city is too vague for a parcel.
        self.fields["place"].queryset = Place.objects.filter(level__gte=Level.COUNTY)
        self.note_fields = []
        for shop in shops:
            name = f"note_{shop.public_id}"
            self.fields[name] = forms.CharField(
                label=_("Note to %(shop)s") % {"shop": shop.name},
                required=False,
                max_length=300,
            )
            self.note_fields.append((shop, name))

    def notes(self) -> dict[str, str]:
        return {shop.public_id: self.cleaned_data.get(name, "") for shop, name in self.note_fields}

    def address_fields(self):
        return [self[name] for name in ("place", "street", "name", "phone")]


class PayForm(forms.Form):
    token = TokenField()
    method = forms.ChoiceField(
        choices=[("wallet", _("From my wallet")), ("provider", _("Online payment"))]
    )


# Actions on one order (the detail page). Forms without fields still carry the CSRF token.


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=300)


class ConfirmForm(forms.Form):
    pass


class ExtendForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Extend by"),
        coerce=int,
        choices=lambda: [
            (days, _("%(days)d days") % {"days": days})
            for days in settings.ORDER_CONFIRM_EXTENSIONS_DAYS
        ],
    )


class ShipmentForm(forms.Form):
    """Carrier and waybill: the seller's parcel, or the buyer's return."""

    carrier = forms.CharField(label=_("Carrier"), max_length=40)
    waybill = forms.CharField(
        label=_("Waybill number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RefundRequestForm(forms.Form):
    token = TokenField()
    kind = forms.ChoiceField(
        label=_("What do you want?"), choices=RefundKind.choices, required=False
    )
    amount = _amount_field(
        _("Amount"),
        required=False,
        help_text=_("Leave empty to ask for everything you paid that was not refunded yet."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefundCancelForm(forms.Form):
    pass


class RefundAnswerForm(forms.Form):
    """The seller agrees or refuses (a refusal needs a reason: it goes to an operator)."""

    verdict = forms.ChoiceField(choices=[("agree", _("Agree")), ("refuse", _("Refuse"))])
    answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse: the operator reads it."),
    )


class ReturnReceivedForm(forms.Form):
    """The returned goods came back (refund now), or not as sent (dispute, with a reason)."""

    verdict = forms.ChoiceField(choices=[("received", _("Received")), ("refuse", _("Not as sent"))])
    answer = forms.CharField(
        label=_("What is wrong (to refuse)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(forms.Form):
    text = forms.CharField(
        label=_("Statement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("Photo"), required=False, widget=forms.FileInput(attrs={"accept": "image/*"})
    )


class DecideForm(forms.Form):
    amount = _amount_field(
        _("Refund to the buyer"), help_text=_("0 refuses; at most the amount asked.")
    )
    decision = forms.CharField(
        label=_("Decision and reasons"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
