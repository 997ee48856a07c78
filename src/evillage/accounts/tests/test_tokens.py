import hashlib

import pytest
from django.urls import reverse

from evillage.accounts import services
from evillage.accounts.models import ApiToken
from evillage.accounts.tests.factories import PASSWORD, UserFactory
from evillage.core.errors import Conflict

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:tokens")


def test_only_the_digest_of_a_new_token_is_stored(user):
    token, raw = services.api_token_create(user=user, name="stock script")

    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:8]
    assert raw not in " ".join(str(getattr(token, f.attname)) for f in token._meta.fields)


def test_a_user_cannot_pile_up_tokens(user):
    for _ in range(services.MAX_TOKENS_PER_USER):
        services.api_token_create(user=user, name="")

    with pytest.raises(Conflict) as exc:
        services.api_token_create(user=user, name="one more")

    assert exc.value.code == "too_many_tokens"
    assert user.api_tokens.count() == services.MAX_TOKENS_PER_USER


def test_api_token_lifecycle_create_use_revoke(api, user):
    created = api.call("post", "/tokens", {"login": user.phone, "password": PASSWORD})
    assert created.status_code == 201
    token = created.json()["token"]
    assert list(created.json()) == ["token"]

    me = api.call("get", "/me", token=token)
    assert me.status_code == 200
    assert me.json()["public_id"] == user.public_id

    assert api.call("delete", "/tokens/current", token=token).status_code == 204
    after = api.call("get", "/me", token=token)
    assert after.status_code == 401
    assert after.json()["code"] == "unauthenticated"
    assert not ApiToken.objects.exists()


def test_a_wrong_password_gets_no_token(api, user):
    response = api.call("post", "/tokens", {"login": user.phone, "password": "wrong"})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_an_unknown_login_gets_no_token(api):
    response = api.call("post", "/tokens", {"login": "nobody@example.com", "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("login", "password", "status"),
    [
        ("1" * 10_000, PASSWORD, 422),
        ("138\x0000000042", PASSWORD, 400),
        ("+8613800000042", "pass\x00word", 400),
    ],
    ids=["overlong-login", "nul-in-login", "nul-in-password"],
)
def test_absurd_logins_get_a_json_error_not_a_server_error(api, login, password, status):
    UserFactory(phone="+8613800000042")

    response = api.call("post", "/tokens", {"login": login, "password": password})

    assert response.status_code == status
    assert response.json()["code"] in {"invalid", "bad_request"}
    assert not ApiToken.objects.exists()


def test_a_token_request_records_the_login(api, user):
    api.call("post", "/tokens", {"login": user.phone, "password": PASSWORD})

    user.refresh_from_db()
    assert user.last_login is not None


def test_revoking_the_current_token_needs_a_token(client, api, user):
    services.api_token_create(user=user, name="kept")
    client.force_login(user)

    response = api.call("delete", "/tokens/current")

    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


def test_a_garbage_token_is_refused(api, user):
    response = api.call("get", "/me", token="evt_not-a-real-token")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


# The page --------------------------------------------------------------------------------


def test_the_page_shows_a_new_token_once_then_only_its_prefix(client, user):
    client.force_login(user)

    created = client.post(PAGE, {"name": "手机"})

    token = ApiToken.objects.get()
    raw = created.context["new_token"]
    assert raw in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    later = client.get(PAGE).content.decode()
    assert raw not in later
    assert token.prefix in later and "手机" in later


def test_revoking_on_the_page_stops_the_token_working(client, api, user):
    token, raw = services.api_token_create(user=user, name="old")
    client.force_login(user)

    response = client.post(reverse("accounts:token-revoke", args=[token.public_id]))

    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    client.logout()
    assert api.call("get", "/me", token=raw).status_code == 401


def test_nobody_can_revoke_someone_elses_token(client, user):
    token, _raw = services.api_token_create(user=UserFactory(), name="theirs")
    client.force_login(user)

    client.post(reverse("accounts:token-revoke", args=[token.public_id]))

    assert ApiToken.objects.filter(pk=token.pk).exists()
