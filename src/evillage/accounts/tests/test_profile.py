import pytest
from django.urls import reverse

from evillage.accounts import services
from evillage.accounts.models import Role
from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.core.errors import ValidationFailed
from evillage.places.models import Level
from evillage.places.tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_profile_shows_roles_and_the_verification_status(client):
    seller = VerifiedSellerFactory()
    client.force_login(seller)

    page = client.get(PROFILE).content.decode()

    assert "buyer" in page and "seller" in page
    assert "approved" in page
    assert "3203***********01*" in page
    assert reverse("accounts:verification") in page


def test_saving_the_profile_changes_name_language_and_switches_the_site(client, user, village):
    client.force_login(user)

    response = client.post(
        PROFILE, {"display_name": "王大妈", "language": "id", "residence": village.key}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.language, user.residence) == ("王大妈", "id", village)
    assert response.cookies["evillage_language"].value == "id"
    assert 'lang="id"' in client.get(PROFILE).content.decode()


def test_the_residence_must_be_a_village(client, user):
    town = PlaceFactory(level=Level.TOWN, code="320324104", name="沙集镇")
    client.force_login(user)

    response = client.post(
        PROFILE, {"display_name": "new name", "language": "", "residence": town.key}
    )

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    user.refresh_from_db()
    assert user.residence is None
    assert user.display_name != "new name"


def test_a_residence_cannot_be_removed_once_set(client, village):
    user = UserFactory(residence=village)
    client.force_login(user)

    response = client.post(PROFILE, {"display_name": "x", "language": "", "residence": ""})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.residence == village
    assert user.display_name != "x"


def test_an_unknown_language_changes_nothing(client, user):
    client.force_login(user)

    response = client.post(PROFILE, {"display_name": "x", "language": "fr", "residence": ""})

    assert response.status_code == 200
    assert "evillage_language" not in response.cookies
    user.refresh_from_db()
    assert user.language == ""
    assert user.display_name != "x"


def test_set_residence_refuses_a_place_that_is_not_a_village(user):
    county = PlaceFactory(level=Level.COUNTY, code="320324", name="睢宁县")

    with pytest.raises(ValidationFailed) as exc:
        services.user_set_residence(user=user, village=county)

    assert exc.value.code == "not_a_village"
    user.refresh_from_db()
    assert user.residence is None


def test_roles_are_granted_once_and_can_be_revoked(user):
    services.role_grant(user=user, role=Role.STATION_AGENT)
    services.role_grant(user=user, role=Role.STATION_AGENT)

    assert sorted(user.roles.values_list("role", flat=True)) == ["buyer", "station_agent"]
    services.role_revoke(user=user, role=Role.STATION_AGENT)
    assert not user.has_role(Role.STATION_AGENT)
    with pytest.raises(ValidationFailed):
        services.role_grant(user=user, role="king")


# The API ---------------------------------------------------------------------------------


def test_me_needs_authentication(api):
    response = api.call("get", "/me")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_me_shows_the_profile_without_the_password_hash(client, api, user):
    client.force_login(user)

    response = api.call("get", "/me")

    assert response.status_code == 200
    body = response.json()
    assert body["public_id"] == user.public_id
    assert body["phone"] == user.phone
    assert body["roles"] == ["buyer"]
    assert "password" not in body
    assert user.password not in response.content.decode()


def test_patch_me_sets_name_language_and_village_by_key(client, api, user, village):
    client.force_login(user)

    response = api.call(
        "patch", "/me", {"display_name": "Bu Siti", "language": "id", "residence": village.key}
    )

    assert response.status_code == 200
    assert response.json()["residence"] == {"key": village.key, "name": village.name}
    user.refresh_from_db()
    assert (user.display_name, user.language, user.residence) == ("Bu Siti", "id", village)


@pytest.mark.parametrize(
    ("residence", "code"), [("cn-000000000000", "unknown_place"), ("town", "not_a_village")]
)
def test_patch_me_with_a_bad_residence_changes_nothing(client, api, user, residence, code):
    town = PlaceFactory(level=Level.TOWN, code="320324104", name="沙集镇")
    residence = town.key if residence == "town" else residence
    client.force_login(user)

    response = api.call("patch", "/me", {"display_name": "changed", "residence": residence})

    assert response.status_code == 400
    assert response.json()["code"] == code
    user.refresh_from_db()
    assert user.display_name != "changed"
    assert user.residence is None
