import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from evillage.accounts.models import ApiToken
from evillage.accounts.tests.factories import PASSWORD, UserFactory
from evillage.accounts.throttling import lockout_username

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("typed", ["13800000042", "+86 138 0000 0042", "+8613800000042"])
def test_login_by_phone_in_any_notation(client, typed):
    user = UserFactory(phone="+8613800000042")

    response = client.post(LOGIN, {"username": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert signed_in_as(client) == str(user.pk)


def test_login_by_email_ignores_case(client):
    user = UserFactory(phone=None, email="Siti@example.co.id")

    response = client.post(LOGIN, {"username": "SITI@EXAMPLE.CO.ID", "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_as(client) == str(user.pk)


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, user):
    response = client.post(LOGIN, {"username": user.phone, "password": "wrong-password"})

    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert signed_in_as(client) is None


def test_login_sets_the_language_cookie_from_the_users_preference(client):
    user = UserFactory(language="zh-hans")

    response = client.post(LOGIN, {"username": user.phone, "password": PASSWORD})

    assert response.cookies["evillage_language"].value == "zh-hans"
    assert 'lang="zh-hans"' in client.get(reverse("accounts:profile")).content.decode()


def test_login_without_a_preferred_language_leaves_the_cookie_alone(client, user):
    response = client.post(LOGIN, {"username": user.phone, "password": PASSWORD})

    assert response.status_code == 302
    assert "evillage_language" not in response.cookies


def test_five_failures_lock_the_login_page_even_for_the_right_password(client, user):
    statuses = [
        client.post(LOGIN, {"username": user.phone, "password": f"wrong-{i}"}).status_code
        for i in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(LOGIN, {"username": user.phone, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert signed_in_as(client) is None


def test_five_failed_token_requests_lock_the_api_with_429(api, user):
    statuses = [
        api.call("post", "/tokens", {"login": user.phone, "password": "nope"}).status_code
        for _ in range(5)
    ]

    assert statuses == [401, 401, 401, 401, 429]
    response = api.call("post", "/tokens", {"login": user.phone, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert not ApiToken.objects.exists()


def test_a_successful_login_clears_earlier_failures(client, user):
    for _ in range(4):
        client.post(LOGIN, {"username": user.phone, "password": "wrong"})
    client.post(LOGIN, {"username": user.phone, "password": PASSWORD})
    client.post(reverse("accounts:logout"))

    for _ in range(4):
        response = client.post(LOGIN, {"username": user.phone, "password": "wrong"})

    assert response.status_code == 200


def test_lockout_username_counts_every_notation_of_one_login_together():
    request = RequestFactory().post(LOGIN)
    typed = ["13800000042", "+86 138 0000 0042", "138-0000-0042", "+8613800000042"]

    assert {lockout_username(request, {"username": login}) for login in typed} == {"+8613800000042"}
    assert lockout_username(request, {"username": "Li@Example.com "}) == "li@example.com"
    assert lockout_username(request, {"username": "admin"}) == "admin"


def test_with_the_lockout_username_setting_varied_notations_do_not_escape_the_lock(
    client, settings
):
    settings.AXES_USERNAME_CALLABLE = "evillage.accounts.throttling.lockout_username"
    user = UserFactory(phone="+8613800000042")
    for login in ["13800000042", "+86 138 0000 0042", "138-0000-0042", "138 0000 0042"]:
        client.post(LOGIN, {"username": login, "password": "wrong"})
    response = client.post(LOGIN, {"username": "+8613800000042", "password": "wrong"})

    assert response.status_code == 429
    response = client.post(LOGIN, {"username": user.phone, "password": PASSWORD})
    assert response.status_code == 429


def test_logout_needs_a_post(client, user):
    client.force_login(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert signed_in_as(client) is None


def test_an_unknown_login_is_refused_like_a_wrong_password(client):
    response = client.post(LOGIN, {"username": "+8613899999999", "password": PASSWORD})

    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("login", "password"),
    [("1" * 10_000, PASSWORD), ("138\x0000000042", PASSWORD), ("+8613800000042", "pass\x00word")],
    ids=["overlong-login", "nul-in-login", "nul-in-password"],
)
def test_absurd_logins_get_a_form_error_not_a_server_error(client, login, password):
    UserFactory(phone="+8613800000042")

    response = client.post(LOGIN, {"username": login, "password": password})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_as(client) is None
    assert not AccessAttempt.objects.exists()  # never reached authentication


def test_an_overlong_login_on_the_admin_login_page_is_refused_not_a_server_error(client):
    response = client.post(reverse("admin:login"), {"username": "1" * 10_000, "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert AccessAttempt.objects.get().username == "1" * 255
