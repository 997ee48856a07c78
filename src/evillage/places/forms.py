from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from evillage.places import selectors
from evillage.places.models import Level, Place, fold_name
from evillage.places.widgets import PlacePicker

# How many candidates an ambiguous entry lists.
MAX_CANDIDATES = 5


class PlaceField(forms.ModelChoiceField):
    """Choose a place by its public key ("cn-320324104201") or by typing names.

    Rendered as the place picker (a text box with autocomplete); `level` limits
    the choice, e.g. to villages for a residence. Typed names ("沙集镇 东风", or a
    village's own name) resolve to a place when exactly one matches.
    """

    default_error_messages = {
        "invalid_choice": _("Choose a place from the list."),
        "no_match": _("No place matches “%(text)s”."),
        "ambiguous": _(
            "Several places match “%(text)s”: %(candidates)s. Type more of the name, "
            "the town or county too, or the key."
        ),
    }

    def __init__(self, *, level: int | None = Level.VILLAGE, **kwargs):
        queryset = Place.objects.all()
        if level is not None:
            queryset = queryset.filter(level=level)
        kwargs.setdefault("widget", PlacePicker(level=level))
        super().__init__(queryset=queryset, to_field_name="key", **kwargs)
        self.level = level

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Place):
            return value
        text = " ".join(str(value).split())
        if selectors.looks_like_key(text):
            place = self.queryset.filter(key=text).first()
            if place is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return place
        return self._resolve(text)

    def _resolve(self, text: str) -> Place:
        candidates = selectors.place_search(
            q=text, queryset=self.queryset, limit=MAX_CANDIDATES + 1
        )
        if not candidates:
            raise ValidationError(
                self.error_messages["no_match"], code="no_match", params={"text": text}
            )
        if len(candidates) == 1:
            return candidates[0]
        folded = fold_name(text)
        exact = [
            c
            for c in candidates
            if c.search_name == folded or fold_name(selectors.path_label(c)).endswith(" " + folded)
        ]
        if len(exact) == 1:
            return exact[0]
        listed = "; ".join(
            f"{selectors.path_label(c)} ({c.key})" for c in candidates[:MAX_CANDIDATES]
        )
        raise ValidationError(
            self.error_messages["ambiguous"],
            code="ambiguous",
            params={"text": text, "candidates": listed},
        )


class HouseholdsForm(forms.Form):
    households = forms.IntegerField(
        label=_("Registered households"),
        required=False,
        min_value=0,
        help_text=_("Leave empty if unknown."),
    )


class HouseholdsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: code,households (one place a line, UTF-8)."),
    )
