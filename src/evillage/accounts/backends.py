from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.views.decorators.debug import sensitive_variables

from evillage.accounts import selectors


class PhoneOrEmailBackend(ModelBackend):
    """Authenticate with a phone number (any common notation) or an email address."""

    # Django marks only authenticate()'s `credentials`: the password is a local here and
    # in the hashers this calls (`raw_password` in User.check_password/set_password).
    @sensitive_variables("password", "raw_password")
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = selectors.user_find_by_login(login=username)
        if user is None:
            # Run the hasher anyway so timing does not reveal which logins exist.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
