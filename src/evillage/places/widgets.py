"""The place picker: a text box that autocompletes with HTMX and works without JavaScript."""

from django import forms
from django.urls import reverse

from evillage.places import selectors
from evillage.places.models import Place


class PlacePicker(forms.TextInput):
    """Type names or a key; with HTMX, choices appear under the box as you type.

    Choosing one re-renders the picker (from `places:autocomplete`) holding the place's
    key and showing its full path. Without JavaScript the typed text is resolved by
    `PlaceField` when the form is submitted.
    """

    template_name = "places/place_picker.html"

    def __init__(self, *, level: int | None = None, attrs: dict | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.level = level

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["picker_id"] = widget["attrs"].get("id") or f"place-{name}"
        widget["autocomplete_url"] = reverse("places:autocomplete")
        widget["level"] = self.level or ""
        place = None
        if isinstance(value, str) and selectors.looks_like_key(value):
            place = Place.objects.filter(key=value).first()
        widget["place"] = place
        widget["place_label"] = selectors.path_label(place) if place else ""
        return context
