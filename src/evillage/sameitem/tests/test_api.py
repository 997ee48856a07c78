"""The JSON API: identical listings, search by photo, claims, cases, appeal, decision;
errors are {code, message}."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.models import ProductStatus
from evillage.reviews.models import ShopCredit
from evillage.sameitem.models import PhotoRightsCase
from evillage.sameitem.tests.helpers import add_photo, listing, retail_shop, supplier_shop, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_identical_listings_sorted(client):
    product = listing(retail_shop())
    add_photo(product, "horse")
    cheap, dear = listing(retail_shop(), price=5000), listing(retail_shop(), price=40000)
    add_photo(cheap, "horse", scale=0.8)
    add_photo(dear, "horse", scale=0.6)
    ShopCredit.objects.create(shop=dear.shop, score=50)

    url = f"/api/products/{product.public_id}/identical"
    body = client.get(url).json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [cheap.public_id, dear.public_id]
    assert body["items"][1]["credit_score"] == 50 and body["items"][0]["credit_score"] is None
    assert body["items"][0]["shop"]["id"] == cheap.shop.public_id
    assert body["items"][0]["cover"]
    by_credit = client.get(url, {"sort": "credit"}).json()["items"]
    assert by_credit[0]["id"] == dear.public_id
    bad = client.get(url, {"sort": "cheapest"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    missing = client.get("/api/products/nope/identical")
    assert missing.status_code == 404 and missing.json()["code"] == "product_not_found"


def test_search_by_photo(client):
    product = listing(retail_shop())
    add_photo(product, "astronaut")
    add_photo(listing(retail_shop()), "camera")
    answer = client.post("/api/identical/search", {"photo": upload("astronaut", scale=0.4)})
    assert answer.status_code == 200
    items = answer.json()
    assert [item["id"] for item in items] == [product.public_id]
    assert items[0]["match_distance"] <= 12


def test_search_by_photo_refuses_non_images(client):
    junk = SimpleUploadedFile("a.png", b"GIF89a nothing", content_type="image/png")
    answer = client.post("/api/identical/search", {"photo": junk})
    assert answer.status_code == 400
    assert answer.json()["code"] == "photo_not_image"


@pytest.fixture
def flagged():
    supplier = supplier_shop()
    add_photo(listing(supplier), "chelsea")
    photo = add_photo(listing(retail_shop(), status=ProductStatus.DRAFT), "chelsea", scale=0.7)
    return PhotoRightsCase.objects.get(photo=photo)


def test_supplier_claims_show_uses(api, flagged):
    supplier = flagged.supplier
    body = api(supplier.owner).get(f"/api/shops/{supplier.public_id}/photo-claims").json()
    assert body["count"] == 1
    uses = body["items"][0]["uses"]
    assert uses == [
        {
            "case": flagged.public_id,
            "shop": {"id": flagged.shop.public_id, "name": flagged.shop.name},
            "product": flagged.photo.product.public_id,
            "state": "open",
        }
    ]
    other = api(flagged.shop.owner).get(f"/api/shops/{supplier.public_id}/photo-claims")
    assert other.status_code == 404 and other.json()["code"] == "shop_not_found"


def test_appeal_and_decision(api, flagged):
    shop = flagged.shop
    client = api(shop.owner)
    cases = client.get(f"/api/shops/{shop.public_id}/photo-rights/cases").json()["items"]
    assert [c["id"] for c in cases] == [flagged.public_id]
    assert cases[0]["state"] == "open" and cases[0]["deadline"]

    appeal = f"/api/photo-rights/cases/{flagged.public_id}/appeal"
    short = client.post(appeal, {"text": "no"}, content_type="application/json")
    assert short.status_code == 400 and short.json()["code"] == "appeal_length"
    done = client.post(
        appeal, {"text": "My own photo, taken 2019."}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["appeal_state"] == "pending"

    decision = f"/api/photo-rights/cases/{flagged.public_id}/decision"
    refused = client.post(decision, {"decision": "grant"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "operators_only"

    operator = api(OperatorFactory())
    desk = operator.get("/api/photo-rights/desk").json()
    assert [c["id"] for c in desk["items"]] == [flagged.public_id]
    granted = operator.post(
        decision,
        {"decision": "grant", "reason": "Seen the originals."},
        content_type="application/json",
    )
    assert granted.status_code == 200
    body = granted.json()
    assert body["state"] == "appeal_granted"
    assert [e["action"] for e in body["events"]] == ["flagged", "appealed", "appeal_granted"]
    assert body["events"][-1]["reason"] == "Seen the originals."
    again = operator.post(decision, {"decision": "uphold"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "case_closed"


def test_cases_are_private(api, flagged):
    stranger = api(UserFactory())
    answer = stranger.get(f"/api/photo-rights/cases/{flagged.public_id}")
    assert answer.status_code == 404 and answer.json()["code"] == "case_not_found"
    assert stranger.get("/api/photo-rights/desk").status_code == 403
