from django import forms
from django.utils.translation import gettext_lazy as _

from evillage.sameitem.services.rights import APPEAL_MAX, REASON_MAX


class PhotoSearchForm(forms.Form):
    photo = forms.FileField(
        label=_("A photo of the item"),
        help_text=_("JPEG, PNG, WebP or GIF. The photo is only compared, never stored."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why may your shop use this photo?"),
        help_text=_("For example: you took it yourself, or the supplier allowed it in writing."),
        max_length=APPEAL_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Refuse the appeal: the photo stays hidden")),
            ("grant", _("Grant the appeal: show the photo again")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
