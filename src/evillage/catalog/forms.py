"""Seller forms for products, variants, stock and photos.

The forms only shape input; the rules (lengths, price limits, stock range) live in
catalog.services, whose errors the views put back on these forms.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evillage.catalog.models import Category
from evillage.catalog.services import MAX_SKUS, MAX_STOCK

# Blank variant rows on the page for browsers without JavaScript.
BLANK_SKU_ROWS_NEW = 3
BLANK_SKU_ROWS_EDIT = 1


class CategoryChoiceField(forms.ChoiceField):
    """Subcategories grouped under their top category; cleaned to a Category."""

    def __init__(self, **kwargs):
        super().__init__(choices=self._grouped, **kwargs)

    @staticmethod
    def _grouped():
        tops = Category.objects.filter(parent=None).prefetch_related("children")
        groups: list = [("", "—")]
        for top in tops:
            children = sorted(top.children.all(), key=lambda c: (c.position, c.slug))
            if children:
                groups.append((top.name, [(child.slug, child.name) for child in children]))
            else:
                groups.append((top.slug, top.name))
        return groups

    def clean(self, value):
        slug = super().clean(value)
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category."))
        return category


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = CategoryChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class SkuForm(forms.Form):
    """One variant row. A blank row is ignored; `id` is set on existing variants."""

    id = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Variant"), required=False, max_length=200)
    price = forms.CharField(
        label=_("Price"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "12.50"}),
    )
    # The page also sends back, hidden, the stock it showed: `changed_data` then compares
    # with what the seller saw, not with the stock at the time of saving, and the save
    # can refuse to overwrite a count that moved meanwhile (see shown_available).
    available = forms.IntegerField(
        label=_("Stock"), required=False, min_value=0, max_value=MAX_STOCK, show_hidden_initial=True
    )
    is_active = forms.BooleanField(label=_("For sale"), required=False, initial=True)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("id") or data.get("label") or data.get("price"))

    def shown_available(self) -> int | None:
        """The stock the page showed for this row; None if it did not send it."""
        raw = self.data.get(self["available"].html_initial_name)
        try:
            return self.fields["available"].to_python(raw)
        except forms.ValidationError:
            return None

    def show_current_stock(self, current: int) -> None:
        """After a stock_changed error: make `current` the stock the page showed, so that
        saving again overwrites it knowingly."""
        self.data = self.data.copy()
        self.data[self["available"].html_initial_name] = str(current)


SkuFormSet = forms.formset_factory(
    SkuForm,
    extra=BLANK_SKU_ROWS_NEW,
    can_delete=True,
    max_num=MAX_SKUS,
    absolute_max=MAX_SKUS,
    validate_max=True,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class PhotoUploadForm(forms.Form):
    photos = MultipleFileField(label=_("Photos"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: at import time it would be frozen in one language.
        self.fields["photos"].help_text = gettext(
            "JPEG, PNG, WebP or GIF; up to %(n)d photos per product."
        ) % {"n": settings.PHOTO_MAX_PER_PRODUCT}


class StockForm(forms.Form):
    available = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK)
    # The stock the page showed; the save is refused if it changed meanwhile.
    expected = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
