"""Forms of the sourcing pages: a supplier's wholesale terms, buying an offer, linking a
variant for drop-shipping. Money is typed in major units ("12.50") and parsed with
core.money.to_minor; the services check the rules."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from evillage.core.errors import DomainError
from evillage.core.money import to_minor
from evillage.orders.models import MAX_LINE_QUANTITY
from evillage.sourcing.services import (
    MAX_LEAD_TIME_DAYS,
    MAX_MIN_QUANTITY,
    MAX_SAMPLE_QUANTITY,
    MAX_TIERS,
)

NUMERIC = {"inputmode": "numeric"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class WholesaleTermsForm(forms.Form):
    """MOQ, up to MAX_TIERS tier rows (from quantity, unit price), samples, lead time."""

    min_quantity = forms.IntegerField(
        label=_("Minimum order quantity"),
        min_value=1,
        max_value=MAX_MIN_QUANTITY,
        help_text=_("Units of this product, all variants together."),
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    sample_price = forms.CharField(
        label=_("Sample price per unit"),
        required=False,
        max_length=20,
        help_text=_("Leave empty if you send no samples."),
        widget=forms.TextInput(attrs=DECIMAL),
    )
    sample_max_quantity = forms.IntegerField(
        label=_("Most units as a sample"),
        min_value=1,
        max_value=MAX_SAMPLE_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    lead_time_days = forms.IntegerField(
        label=_("Lead time (days before shipping)"),
        min_value=0,
        max_value=MAX_LEAD_TIME_DAYS,
        initial=2,
        widget=forms.NumberInput(attrs=NUMERIC),
    )
    dropship = forms.BooleanField(
        label=_("Ship to my buyers' customers (drop-shipping)"), required=False, initial=True
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        for index in range(MAX_TIERS):
            self.fields[f"tier_{index}_from"] = forms.IntegerField(
                label=_("From quantity"),
                required=False,
                min_value=1,
                max_value=MAX_MIN_QUANTITY,
                widget=forms.NumberInput(attrs=NUMERIC),
            )
            self.fields[f"tier_{index}_price"] = forms.CharField(
                label=_("Unit price"),
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs=DECIMAL),
            )

    def tier_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"tier_{i}_from"], self[f"tier_{i}_price"]) for i in range(MAX_TIERS)]

    def _price(self, name: str) -> int | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return to_minor(text, self.currency, field=name)
        except DomainError as exc:
            self.add_error(name, exc.message)
            return None

    def clean(self):
        data = super().clean()
        tiers, rows = [], []
        for index in range(MAX_TIERS):
            start = data.get(f"tier_{index}_from")
            has_price = bool((data.get(f"tier_{index}_price") or "").strip())
            if start is None and not has_price:
                continue
            price = self._price(f"tier_{index}_price")
            if start is None:
                self.add_error(f"tier_{index}_from", _("From how many units?"))
            elif not has_price:
                self.add_error(f"tier_{index}_price", _("At what unit price?"))
            elif price is not None:
                tiers.append((start, price))
                rows.append(index)
        data["tiers"] = tiers
        data["tier_rows"] = rows  # form row of each tier, to put a service error there
        data["sample_price_minor"] = self._price("sample_price")
        return data


class OfferBuyForm(forms.Form):
    """One quantity per variant of the offer (0 or empty: none)."""

    def __init__(self, *args, variants, **kwargs):
        super().__init__(*args, **kwargs)
        self.variants = list(variants)
        for sku in self.variants:
            self.fields[f"qty_{sku.public_id}"] = forms.IntegerField(
                label=sku.label,
                required=False,
                min_value=0,
                max_value=MAX_LINE_QUANTITY,
                widget=forms.NumberInput(attrs={**NUMERIC, "min": 0}),
            )

    def rows(self):
        return [(sku, self[f"qty_{sku.public_id}"]) for sku in self.variants]

    def quantities(self) -> dict[str, int]:
        return {
            sku.public_id: self.cleaned_data.get(f"qty_{sku.public_id}") or 0
            for sku in self.variants
        }


class SampleForm(forms.Form):
    sku = forms.ChoiceField(label=_("Variant"))
    quantity = forms.IntegerField(
        label=_("Units"), min_value=1, initial=1, widget=forms.NumberInput(attrs=NUMERIC)
    )

    def __init__(self, *args, variants, max_quantity: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].choices = [(sku.public_id, sku.label) for sku in variants]
        self.fields["quantity"].widget.attrs["max"] = max_quantity
        self.fields["quantity"].validators.append(MaxValueValidator(max_quantity))


class DropshipLinkForm(forms.Form):
    retail_sku = forms.ChoiceField(label=_("Your variant"))
    supplier_sku = forms.ChoiceField(label=_("Supplier's variant"))

    def __init__(self, *args, retail_skus, supplier_skus, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retail_sku"].choices = [
            (sku.public_id, f"{sku.product.title} · {sku.label}") for sku in retail_skus
        ]
        self.fields["supplier_sku"].choices = [(sku.public_id, sku.label) for sku in supplier_skus]
