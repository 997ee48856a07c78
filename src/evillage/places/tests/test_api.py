import pytest

from evillage.accounts.models import Role
from evillage.accounts.tests.factories import UserFactory
from evillage.places.models import Place

pytestmark = pytest.mark.django_db

DONGFENG = "江苏省 徐州市 睢宁县 沙集镇 东风社区居委会"


def test_search_finds_by_names_and_shows_full_paths(shipped, client):
    body = client.get("/api/places", {"q": "沙集镇 东风"}).json()
    assert [p["label"] for p in body] == [DONGFENG]
    assert body[0]["level"] == 5 and body[0]["key"].startswith("cn-320324109")


def test_search_is_case_insensitive_and_filters_country_and_level(shipped, client):
    body = client.get("/api/places", {"q": "pekalongan", "country": "id", "level": 3}).json()
    assert [p["name"] for p in body] == ["Kabupaten Pekalongan", "Kota Pekalongan"]
    assert body[0]["label"] == "Jawa Tengah Kabupaten Pekalongan"
    assert client.get("/api/places", {"q": "pekalongan", "country": "cn"}).json() == []


def test_search_within_an_ancestor(shipped, client):
    everywhere = client.get("/api/places", {"q": "东风", "limit": 50}).json()
    within = client.get("/api/places", {"q": "东风", "within": "cn-320324"}).json()
    assert len(everywhere) > len(within) >= 1
    assert all(p["label"].startswith("江苏省 徐州市 睢宁县 ") for p in within)


def test_detail_has_path_approximate_location_and_children_count(shipped, client):
    key = Place.objects.get(name="东风社区居委会", parent__name="沙集镇").key
    body = client.get(f"/api/places/{key}").json()
    assert body["label"] == DONGFENG
    assert [p["name"] for p in body["path"]] == DONGFENG.split()
    assert body["parent"] == "cn-320324109"
    # The village has no coordinates: it gets its county's, marked approximate.
    assert (body["latitude"], body["longitude"]) == (33.912597, 117.941563)
    assert body["location_approximate"] is True
    county = client.get("/api/places/cn-320324").json()
    assert county["location_approximate"] is False
    assert county["children_count"] == Place.objects.filter(parent__key="cn-320324").count() > 10


def test_children_lists_the_places_directly_under(shipped, client):
    body = client.get("/api/places/id-3375/children").json()
    assert {p["level_name"] for p in body} == {"town"}
    assert "Pekalongan Barat" in [p["name"] for p in body]


def test_unknown_key_is_a_404_with_a_code(db, client):
    for url in ("/api/places/cn-999", "/api/places/cn-999/children", "/api/places?q=x&within=x"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "place_not_found"


def test_patch_households_needs_an_official_or_operator(shipped, client):
    url = "/api/places/cn-320324109"
    data = '{"households": 21000}'
    assert client.patch(url, data, content_type="application/json").status_code == 401
    client.force_login(UserFactory(with_roles=[Role.SELLER]))
    response = client.patch(url, data, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "households_forbidden"
    assert Place.objects.get(key="cn-320324109").households is None

    client.force_login(UserFactory(with_roles=[Role.OFFICIAL]))
    response = client.patch(url, data, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["households"] == 21000
    assert Place.objects.get(key="cn-320324109").households == 21000


def test_patch_rejects_negative_households(shipped, client):
    client.force_login(UserFactory(with_roles=[Role.OPERATOR]))
    response = client.patch(
        "/api/places/cn-320324109", '{"households": -1}', content_type="application/json"
    )
    assert response.status_code == 422
    assert Place.objects.get(key="cn-320324109").households is None
