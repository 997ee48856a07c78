"""Shops API."""

import pytest

from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.places.tests.factories import PlaceFactory
from evillage.shops.models import Shop, ShopStaff, ShopStatus, StaffRole
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def test_public_list_shows_open_shops_filtered_by_village_and_paginated(client):
    village = PlaceFactory()
    here = ShopFactory(name="Here", village=village)
    ShopFactory(name="Closed here", village=village, status=ShopStatus.CLOSED)
    ShopFactory(name="Elsewhere")
    body = client.get("/api/shops", {"village": village.key}).json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == here.public_id
    assert body["items"][0]["village"] == {"key": village.key, "name": village.name}
    assert "pk" not in body["items"][0]
    assert client.get("/api/shops", {"page_size": 1}).json()["count"] == 2
    assert len(client.get("/api/shops", {"page_size": 1}).json()["items"]) == 1


def test_get_shop_by_public_id_and_closed_is_hidden(client):
    shop = ShopFactory(status=ShopStatus.CLOSED)
    assert client.get(f"/api/shops/{shop.public_id}").status_code == 404
    client.force_login(shop.owner)
    assert client.get(f"/api/shops/{shop.public_id}").json()["status"] == "closed"
    assert client.get(f"/api/shops/{shop.pk}").status_code == 404


def test_open_a_shop(client):
    seller = VerifiedSellerFactory()
    client.force_login(seller)
    response = client.post(
        "/api/shops",
        {"name": "Batik Sari", "kind": "individual", "village": seller.residence.key},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["currency"] == "CNY"
    assert Shop.objects.get().owner == seller


@pytest.mark.parametrize(
    ("user_factory", "village", "status", "code"),
    [
        (UserFactory, None, 403, "verification_required"),
        (VerifiedSellerFactory, "cn-000000000000", 400, "unknown_place"),
    ],
)
def test_open_shop_errors(client, user_factory, village, status, code):
    user = user_factory(residence=PlaceFactory())
    client.force_login(user)
    response = client.post(
        "/api/shops",
        {"name": "Shop", "kind": "individual", "village": village or user.residence.key},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Shop.objects.exists()


def test_writes_need_a_user(client):
    response = client.post("/api/shops", {}, content_type="application/json")
    assert response.status_code == 401


def test_patch_rename_and_close_only_for_the_owner(client):
    shop = ShopFactory(name="Old")
    client.force_login(VerifiedSellerFactory())
    response = client.patch(
        f"/api/shops/{shop.public_id}", {"name": "Stolen"}, content_type="application/json"
    )
    assert response.status_code == 404
    client.force_login(shop.owner)
    response = client.patch(
        f"/api/shops/{shop.public_id}",
        {"name": "New", "status": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 200
    shop.refresh_from_db()
    assert (shop.name, shop.status) == ("New", "closed")


def test_staff_endpoints(client):
    shop = ShopFactory()
    helper = UserFactory(phone="+8613900000001")
    client.force_login(shop.owner)
    base = f"/api/shops/{shop.public_id}/staff"
    response = client.post(
        base,
        {"login": "+8613900000001", "role": "customer_service"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["user"]["id"] == helper.public_id
    assert [m["role"] for m in client.get(base).json()] == ["owner", "customer_service"]
    assert client.delete(f"{base}/{shop.owner.public_id}").json()["code"] == "cannot_remove_owner"
    assert client.delete(f"{base}/{helper.public_id}").status_code == 204
    client.force_login(VerifiedSellerFactory())
    assert client.get(base).status_code == 404


def test_staff_see_each_other_by_display_name_or_masked_login_only(client):
    shop = ShopFactory(owner=VerifiedSellerFactory(display_name="", phone="+8613800000002"))
    by_phone = UserFactory(display_name="", phone="+6281234567890")
    by_email = UserFactory(display_name="", phone=None, email="li.wei@example.com")
    named = UserFactory(display_name="Li Wei", phone="+8613900000003")
    for user in (by_phone, by_email, named):
        ShopStaff.objects.create(shop=shop, user=user, role=StaffRole.CUSTOMER_SERVICE)
    client.force_login(by_phone)  # customer service reads the staff list
    response = client.get(f"/api/shops/{shop.public_id}/staff")
    names = [member["user"]["name"] for member in response.json()]
    assert names == ["+86138****0002", "+62812****7890", "l***@example.com", "Li Wei"]
    for secret in ("+8613800000002", "+6281234567890", "li.wei@", "+8613900000003"):
        assert secret not in response.content.decode()


def test_customer_service_sending_a_bad_status_is_told_it_is_not_the_owner(client):
    shop = ShopFactory(name="Kept")
    helper = UserFactory()
    ShopStaff.objects.create(shop=shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
    client.force_login(helper)
    response = client.patch(
        f"/api/shops/{shop.public_id}",
        {"name": "Taken over", "status": "deleted"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "owner_only")
    client.force_login(shop.owner)
    response = client.patch(
        f"/api/shops/{shop.public_id}",
        {"name": "Renamed", "status": "deleted"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_status")
    assert Shop.objects.get(pk=shop.pk).name == "Kept"  # the rename went with the error


def test_a_suspended_shop_stays_suspended_when_its_owner_closes_it(client):
    shop = ShopFactory(status=ShopStatus.SUSPENDED)
    client.force_login(shop.owner)
    response = client.patch(
        f"/api/shops/{shop.public_id}", {"status": "closed"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "shop_suspended")
    assert Shop.objects.get(pk=shop.pk).status == ShopStatus.SUSPENDED


@pytest.mark.parametrize(
    "params",
    [
        {"page": "10000000000000000000"},
        {"page": "10001"},
        {"page": "0"},
        {"page_size": "101"},
        {"page_size": "100000000000000000000"},
    ],
)
def test_page_numbers_and_sizes_out_of_range_are_a_422_not_a_crash(client, params):
    ShopFactory()
    response = client.get("/api/shops", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_the_last_allowed_page_answers_empty(client):
    ShopFactory()
    body = client.get("/api/shops", {"page": "10000", "page_size": "100"}).json()
    assert (body["count"], body["items"]) == (1, [])


def test_openapi_declares_the_error_body_on_shop_operations(client):
    schema = client.get("/api/openapi.json").json()
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message"}
    assert {"field", "details"} <= set(error["properties"])
    patch = schema["paths"]["/api/shops/{shop_id}"]["patch"]["responses"]
    for status in ("400", "401", "403", "404", "409", "422"):
        assert patch[status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorOut"
        ), status
    assert "422" in schema["paths"]["/api/shops"]["get"]["responses"]


def test_my_shops_lists_the_shops_i_own_or_work_in_even_closed(client):
    mine = ShopFactory(name="我的店")
    closed = ShopFactory(
        name="歇业的店", owner=mine.owner, village=mine.village, status=ShopStatus.CLOSED
    )
    elsewhere = ShopFactory(name="别人的店")
    ShopStaff.objects.create(shop=elsewhere, user=mine.owner, role=StaffRole.CUSTOMER_SERVICE)
    ShopFactory(name="无关的店")

    assert client.get("/api/shops/mine").status_code == 401
    client.force_login(mine.owner)
    names = [shop["name"] for shop in client.get("/api/shops/mine").json()]

    assert names == [mine.name, closed.name, elsewhere.name]
