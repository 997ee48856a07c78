from django import forms
from django.utils.translation import gettext_lazy as _

from evillage.places.models import Level, Place


class PlaceField(forms.ModelChoiceField):
    """Choose a place by its public key ("cn-320324104201").

    Rendered as the place picker (a text box with autocomplete); `level` limits
    the choice, e.g. to villages for a residence.
    """

    default_error_messages = {
        "invalid_choice": _("Choose a place from the list."),
    }

    def __init__(self, *, level: int | None = Level.VILLAGE, **kwargs):
        queryset = Place.objects.all()
        if level is not None:
            queryset = queryset.filter(level=level)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(queryset=queryset, to_field_name="key", **kwargs)
        self.level = level
