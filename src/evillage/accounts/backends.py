from django.contrib.auth.backends import ModelBackend

from evillage.accounts import selectors


class PhoneOrEmailBackend(ModelBackend):
    """Authenticate with a phone number (any common notation) or an email address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = selectors.user_find_by_login(login=username)
        if user is None:
            # Run the hasher anyway so timing does not reveal which logins exist.
            self.user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()
