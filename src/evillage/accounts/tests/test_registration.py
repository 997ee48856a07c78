import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from evillage.accounts import services
from evillage.accounts.models import Role, User
from evillage.accounts.tests.factories import PASSWORD, UserFactory
from evillage.core.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db


def login_works(login: str, password: str = PASSWORD) -> bool:
    request = RequestFactory().post(reverse("accounts:login"))
    return authenticate(request, username=login, password=password) is not None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0812-3456-7890", "+6281234567890"),
    ],
)
def test_a_phone_in_any_notation_is_stored_in_e164_and_the_user_is_a_buyer(typed, stored):
    user = services.user_register(phone=typed, email=None, password=PASSWORD)

    assert user.phone == stored
    assert user.username == stored
    assert user.email is None
    assert user.has_role(Role.BUYER)
    assert login_works(typed)
    assert login_works(stored)


def test_an_email_keeps_its_local_part_and_gets_a_lower_case_domain():
    user = services.user_register(
        phone=None, email=" Li.Ming@Example.COM ", password=PASSWORD, display_name=" 李明 "
    )

    assert user.email == "Li.Ming@example.com"
    assert user.username == "Li.Ming@example.com"
    assert user.display_name == "李明"
    assert login_works("li.ming@EXAMPLE.com")


def test_the_same_phone_typed_differently_is_a_duplicate():
    services.user_register(phone="13812345678", email=None, password=PASSWORD)

    with pytest.raises(Conflict) as exc:
        services.user_register(phone="+86 138-1234-5678", email=None, password=PASSWORD)

    assert exc.value.code == "phone_taken"
    assert User.objects.count() == 1


def test_emails_differing_only_in_case_are_duplicates():
    services.user_register(phone=None, email="wang@example.com", password=PASSWORD)

    with pytest.raises(Conflict) as exc:
        services.user_register(phone=None, email="WANG@Example.com", password=PASSWORD)

    assert exc.value.code == "email_taken"
    assert User.objects.count() == 1


@pytest.mark.parametrize("phone", ["12345", "+1 650 253 0000", "138123456789999", "abc"])
def test_a_phone_that_is_not_chinese_or_indonesian_is_refused(phone):
    with pytest.raises(ValidationFailed) as exc:
        services.user_register(phone=phone, email=None, password=PASSWORD)

    assert exc.value.code == "bad_phone"
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["short1", "12345678901", "password", "13812345678"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationFailed) as exc:
        services.user_register(phone="13812345678", email=None, password=password)

    assert exc.value.code == "weak_password"
    assert exc.value.field == "password"
    assert not User.objects.exists()


def test_a_registration_needs_a_phone_or_an_email():
    with pytest.raises(ValidationFailed) as exc:
        services.user_register(phone="  ", email="", password=PASSWORD)

    assert exc.value.code == "login_required"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        services.user_register(phone="13812345678", email=None, password=PASSWORD, language="fr")

    assert exc.value.code == "bad_language"
    assert not User.objects.exists()


# The page --------------------------------------------------------------------------------


def register_form(**overrides):
    data = {
        "phone": "138 1234 5678",
        "email": "",
        "display_name": "老王",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **overrides}


def test_registering_on_the_page_signs_the_user_in_and_sends_them_on(client):
    response = client.post(reverse("accounts:register") + "?next=/accounts/me/", register_form())

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    user = User.objects.get()
    assert user.phone == "+8613812345678"
    assert user.display_name == "老王"
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_registration_does_not_send_people_to_another_site(client):
    url = reverse("accounts:register") + "?next=https://evil.example/"

    response = client.post(url, register_form())

    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_registration_remembers_the_language_the_page_was_shown_in(client):
    client.cookies["evillage_language"] = "zh-hans"

    client.post(reverse("accounts:register"), register_form())

    assert User.objects.get().language == "zh-hans"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password2": "another-pass-2026"}, "The two passwords differ."),
        ({"phone": "", "email": ""}, "Enter a phone number or an email address."),
        ({"phone": "12345"}, "Enter a valid Chinese (+86) or Indonesian (+62) phone number."),
        ({"password": "12345678901", "password2": "12345678901"}, "entirely numeric"),
    ],
)
def test_bad_registrations_show_the_error_and_create_nobody(client, data, message):
    response = client.post(reverse("accounts:register"), register_form(**data))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_registering_a_phone_already_used_shows_an_error(client):
    UserFactory(phone="+8613812345678")

    response = client.post(reverse("accounts:register"), register_form(phone="13812345678"))

    assert response.status_code == 200
    assert "An account with this phone number already exists." in response.content.decode()
    assert User.objects.count() == 1


def test_a_signed_in_user_is_sent_from_registration_to_their_profile(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:register"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


# The API ---------------------------------------------------------------------------------


def test_api_registration_returns_the_public_profile_without_secrets(api):
    response = api.call(
        "post", "/register", {"phone": "0812-3456-7890", "password": PASSWORD, "language": "id"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["phone"] == "+6281234567890"
    assert body["roles"] == ["buyer"]
    assert body["language"] == "id"
    assert body["verified"] is False
    assert "password" not in body
    assert PASSWORD not in response.content.decode()
    assert User.objects.get().public_id == body["public_id"]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"phone": "13800000000", "password": PASSWORD}, 409, "phone_taken"),
        ({"phone": "12345", "password": PASSWORD}, 400, "bad_phone"),
        ({"email": "not-an-email", "password": PASSWORD}, 400, "bad_email"),
        ({"phone": "13912345678", "password": "password"}, 400, "weak_password"),
    ],
)
def test_api_registration_errors_are_json_with_a_code(api, payload, status, code):
    UserFactory(phone="+8613800000000")

    response = api.call("post", "/register", payload)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert User.objects.count() == 1
