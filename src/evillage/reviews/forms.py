"""Forms of the review pages. They only shape input; the rules live in reviews.services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

STARS = [(n, str(n)) for n in range(5, 0, -1)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the photo pipeline checks each one."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


def _stars(label):
    return forms.TypedChoiceField(
        label=label,
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "choices-inline"}),
        initial=5,
    )


class _WithPhotos(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = gettext("Up to %(n)d photos.") % {
            "n": settings.REVIEW_MAX_PHOTOS
        }


class ReviewForm(_WithPhotos):
    rating = forms.ChoiceField(
        label=_("Your rating"),
        choices=[("good", _("Good")), ("neutral", _("Neutral")), ("bad", _("Bad"))],
        widget=forms.RadioSelect(attrs={"class": "choices-inline"}),
        initial="good",
    )
    item_as_described = _stars(_("Item as described"))
    service = _stars(_("Seller's service"))
    shipping_speed = _stars(_("Shipping speed"))
    text = forms.CharField(
        label=_("Your review"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed for a neutral or bad rating. At most 500 characters."),
    )
    photos = PhotosField(label=_("Photos"))
    anonymous = forms.BooleanField(
        label=_("Review anonymously (your name is shown masked, like 王***)"), required=False
    )


class FollowUpForm(_WithPhotos):
    text = forms.CharField(
        label=_("Your follow-up"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos"))


class ReplyForm(forms.Form):
    to = forms.ChoiceField(
        choices=[("review", "review"), ("followup", "followup")],
        widget=forms.HiddenInput,
        initial="review",
    )
    text = forms.CharField(
        label=_("Your reply"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
