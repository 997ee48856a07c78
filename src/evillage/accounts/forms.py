from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from evillage.accounts.models import IdDocument, User
from evillage.places.forms import PlaceField
from evillage.places.models import Level

LOGIN_MAX_LENGTH = User._meta.get_field("email").max_length


class LoginForm(AuthenticationForm):
    """Sign in with a phone number (any notation) or an email address."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = _("Phone number or email")
        field.widget.attrs.update(autocomplete="username", autofocus=True)
        # AuthenticationForm sets max_length (to the username's 150) only after the field
        # is built, so nothing enforces it: an overlong login would reach authenticate()
        # and django-axes' log of failures, whose column it overflows (a 500 on
        # PostgreSQL). Emails are the longest logins.
        field.max_length = LOGIN_MAX_LENGTH
        field.widget.attrs["maxlength"] = LOGIN_MAX_LENGTH
        field.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))


class RegisterForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=30,
        help_text=_("A Chinese (+86) or Indonesian (+62) number."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("or email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        required=False,
        max_length=60,
        help_text=_("Shown to sellers and buyers you talk to."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    @sensitive_variables("data")
    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Enter a phone number or an email address."))
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


def language_choices() -> list[tuple[str, str]]:
    return [("", _("Same as this device")), *settings.LANGUAGES]


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), required=False, max_length=60)
    language = forms.ChoiceField(label=_("Preferred language"), required=False, choices=())
    # No help_text: the place picker sets its own aria-describedby.
    residence = PlaceField(level=Level.VILLAGE, label=_("Village of residence"), required=False)

    def __init__(self, *args, has_residence: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        # A residence can be changed but not removed: shops and verification rely on it.
        self.fields["residence"].required = has_residence


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes the submitted value back into the page."""

    def format_value(self, value):
        return None


class VerificationForm(forms.Form):
    legal_name = forms.CharField(
        label=_("Name as on the document"), max_length=100, widget=forms.TextInput()
    )
    document_type = forms.ChoiceField(label=_("Document"), choices=IdDocument.choices)
    number = forms.CharField(
        label=_("ID number"),
        max_length=32,
        help_text=_(
            "We keep only a masked copy: the first four characters and two near the end. "
            "For your safety the number is not shown again, even on an error."
        ),
        widget=NoEchoTextInput(attrs={"autocomplete": "off"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        required=False,
        max_length=60,
        help_text=_("To remember where you use it, e.g. “stock script”."),
    )


class RejectForm(forms.Form):
    """The reason an operator gives when rejecting identity verifications."""

    reason = forms.CharField(
        label=_("Reason shown to the user"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
