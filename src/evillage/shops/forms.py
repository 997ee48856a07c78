from django import forms
from django.utils.translation import gettext_lazy as _

from evillage.places.forms import PlaceField
from evillage.places.models import Level
from evillage.shops.models import ShopKind, StaffRole


class ShopOpenForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind of shop"), choices=ShopKind.choices)
    village = PlaceField(
        label=_("Village"),
        level=Level.VILLAGE,
        help_text=_("Where the shop is; it sets the currency and cannot be changed later."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class ShopSettingsForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    logo = forms.FileField(
        label=_("New logo"), required=False, widget=forms.FileInput(attrs={"accept": "image/*"})
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    # Typed in major units ("8" or "8.50") and parsed with core.money in the view.
    shipping_fee = forms.CharField(
        label=_("Shipping fee per order"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("A flat fee added to each order from your shop; 0 for free shipping."),
    )


class StaffAddForm(forms.Form):
    login = forms.CharField(
        label=_("Phone number or email"),
        max_length=254,
        help_text=_("The person must already have an eVillage account."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(StaffRole.CUSTOMER_SERVICE, StaffRole.CUSTOMER_SERVICE.label)],
        initial=StaffRole.CUSTOMER_SERVICE,
    )
