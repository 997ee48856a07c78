"""Catalogue API: public reads and owners' writes."""

import pytest

from evillage.accounts.api_auth import token_digest
from evillage.accounts.models import ApiToken
from evillage.accounts.tests.factories import VerifiedSellerFactory
from evillage.catalog.models import Category, Product, ProductStatus, Sku
from evillage.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductPhotoFactory,
    image_upload,
)
from evillage.shops.models import ShopStatus
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_category_tree(client):
    tree = client.get("/api/categories").json()
    furniture = next(node for node in tree if node["slug"] == "furniture")
    assert furniture["name_zh_hans"] == "家具"
    assert "sofas" in [child["slug"] for child in furniture["children"]]
    chinese = client.get("/api/categories", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert next(n for n in chinese if n["slug"] == "furniture")["name"] == "家具"


class TestPublicProducts:
    def test_only_products_on_sale_in_open_shops(self, client):
        visible = ProductFactory()
        ProductFactory(status=ProductStatus.DRAFT)
        ProductFactory(status=ProductStatus.BANNED)
        ProductFactory(shop=ShopFactory(status=ShopStatus.CLOSED))
        body = client.get("/api/products").json()
        assert [item["id"] for item in body["items"]] == [visible.public_id]
        item = body["items"][0]
        assert (item["price_min"], item["currency"]) == (19900, "CNY")
        assert item["shop"]["id"] == visible.shop.public_id

    def test_filters_and_sorts(self, client):
        sofas = Category.objects.get(slug="sofas")
        cheap = ProductFactory(category=sofas, title="Linen sofa", skus=[("A", 50000, 1)])
        dear = ProductFactory(category=sofas, title="Leather sofa", skus=[("A", 90000, 1)])
        other = ProductFactory(title="Tea", skus=[("A", 1000, 1)])
        other.sales_count = 99
        other.save()

        def ids(**params):
            return [item["id"] for item in client.get("/api/products", params).json()["items"]]

        assert ids(category="furniture", sort="price_asc") == [cheap.public_id, dear.public_id]
        assert ids(category="sofas", sort="price_desc") == [dear.public_id, cheap.public_id]
        assert ids(q="leather") == [dear.public_id]
        assert ids(shop=other.shop.public_id) == [other.public_id]
        assert ids(village=cheap.shop.village.key) == [cheap.public_id]
        assert ids(sort="sales")[0] == other.public_id
        assert ids(sort="newest")[0] == other.public_id
        assert ids(category="no-such-category") == []
        assert client.get("/api/products", {"sort": "random"}).status_code == 422

    def test_detail_hides_others_non_active_products(self, client):
        draft = ProductFactory(status=ProductStatus.DRAFT)
        assert client.get(f"/api/products/{draft.public_id}").status_code == 404
        client.force_login(VerifiedSellerFactory())
        assert client.get(f"/api/products/{draft.public_id}").status_code == 404
        client.force_login(draft.shop.owner)
        assert client.get(f"/api/products/{draft.public_id}").json()["status"] == "draft"

    def test_detail_with_bearer_token_and_skus_and_photos(self, client):
        product = ProductFactory(status=ProductStatus.DRAFT)
        ProductPhotoFactory(product=product)
        ApiToken.objects.create(
            user=product.shop.owner, digest=token_digest("secret-token"), prefix="secret-t"
        )
        body = client.get(
            f"/api/products/{product.public_id}", HTTP_AUTHORIZATION="Bearer secret-token"
        ).json()
        assert body["skus"][0]["price"] == 19900 and body["skus"][0]["currency"] == "CNY"
        assert body["photos"][0]["thumb"].startswith("/media/products/")

    def test_public_detail_shows_variants_on_sale_without_seller_codes(self, client):
        product = ProductFactory(skus=[("Red", 19900, 5), ("Blue", 21900, 0)])
        red, blue = product.skus.order_by("position")
        Sku.objects.filter(pk=red.pk).update(seller_code="WH-A3-RED")
        Sku.objects.filter(pk=blue.pk).update(is_active=False, seller_code="WH-B9-BLUE")
        ApiToken.objects.create(
            user=product.shop.owner, digest=token_digest("owner-token"), prefix="owner-to"
        )
        detail = f"/api/products/{product.public_id}"
        for who in ("anonymous", "another seller"):
            if who == "another seller":
                client.force_login(VerifiedSellerFactory())
            response = client.get(detail)
            assert [sku["label"] for sku in response.json()["skus"]] == ["Red"], who
            assert "seller_code" not in response.json()["skus"][0], who
            assert "WH-" not in response.content.decode(), who
        client.logout()
        staff = client.get(detail, HTTP_AUTHORIZATION="Bearer owner-token").json()
        assert [(s["label"], s["seller_code"]) for s in staff["skus"]] == [
            ("Red", "WH-A3-RED"),
            ("Blue", "WH-B9-BLUE"),
        ]
        client.force_login(product.shop.owner)
        assert len(client.get(detail).json()["skus"]) == 2

    def test_price_sorts_go_by_the_lowest_price_as_on_the_pages(self, client):
        """A card shows the lowest price first; "high to low" must order by it too."""
        wide = ProductFactory(title="Wide", skus=[("S", 1000, 1), ("XL", 90000, 1)])
        middle = ProductFactory(title="Middle", skus=[("One", 50000, 1)])

        def ids(sort):
            items = client.get("/api/products", {"sort": sort}).json()["items"]
            return [item["id"] for item in items]

        assert ids("price_desc") == [middle.public_id, wide.public_id]
        assert ids("price_asc") == [wide.public_id, middle.public_id]

    def test_search_matches_every_word_like_the_search_page(self, client):
        both = ProductFactory(title="Oak dining table")
        ProductFactory(title="Oak stool")
        items = client.get("/api/products", {"q": "table oak"}).json()["items"]
        assert [item["id"] for item in items] == [both.public_id]

    @pytest.mark.parametrize(
        "params",
        [{"page": "10000000000000000000"}, {"page": "10001"}, {"page": "-1"}, {"page_size": "500"}],
    )
    def test_out_of_range_paging_is_a_422_not_a_crash(self, client, params):
        ProductFactory()
        response = client.get("/api/products", params)
        assert (response.status_code, response.json()["code"]) == (422, "invalid")


def test_openapi_declares_errors_and_both_product_schemas(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    detail = paths["/api/products/{product_id}"]["get"]["responses"]
    assert detail["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    refs = {
        s["$ref"].rsplit("/", 1)[1]
        for s in detail["200"]["content"]["application/json"]["schema"]["anyOf"]
    }
    assert refs == {"ProductDetail", "ProductStaffDetail"}
    public_sku = schema["components"]["schemas"]["SkuPublicOut"]
    assert "seller_code" not in public_sku["properties"]
    for path, method in [
        ("/api/products", "post"),
        ("/api/skus/{sku_id}", "patch"),
        ("/api/photos/{photo_id}", "delete"),
    ]:
        responses = paths[path][method]["responses"]
        assert {"400", "401", "403", "404", "409", "422"} <= set(responses), path
    assert "422" in paths["/api/products"]["get"]["responses"]


class TestWrites:
    @pytest.fixture
    def shop(self, client):
        shop = ShopFactory()
        client.force_login(shop.owner)
        return shop

    def test_create_with_decimal_string_and_minor_unit_prices(self, client, shop):
        category = CategoryFactory()
        response = client.post(
            "/api/products",
            {
                "shop": shop.public_id,
                "category": category.slug,
                "title": "<i>Oak</i> stool",
                "skus": [
                    {"label": "S", "price": "49.90", "available": 5},
                    {"label": "L", "price_minor": 6990, "available": 2, "options": {"size": "L"}},
                ],
            },
            content_type=JSON,
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["status"], body["title"]) == ("draft", "<i>Oak</i> stool")
        assert (body["price_min"], body["price_max"]) == (4990, 6990)
        assert body["skus"][1]["options"] == {"size": "L"}

    @pytest.mark.parametrize(
        ("sku", "code"),
        [
            ({"label": "S", "price": "-1"}, "bad_price"),
            ({"label": "S", "price": "12345678901234"}, "bad_price"),
            ({"label": "S", "price_minor": 0}, "bad_price"),
            ({"label": "S", "price": "1", "available": -5}, "bad_stock"),
            ({"label": "S", "price": "1", "available": 10**9}, "bad_stock"),
            ({"label": "S", "price": 12.5}, "invalid"),
        ],
    )
    def test_bad_input_is_refused_with_a_code(self, client, shop, sku, code):
        response = client.post(
            "/api/products",
            {
                "shop": shop.public_id,
                "category": CategoryFactory().slug,
                "title": "Stool",
                "skus": [sku],
            },
            content_type=JSON,
        )
        assert response.json()["code"] == code
        assert response.status_code in (400, 422)
        assert not Product.objects.exists()

    def test_stock_with_the_expected_count_is_a_compare_and_set(self, client, shop):
        """An API client that read stock 10 cannot overwrite a change made since."""
        sku = ProductFactory(shop=shop, skus=[("标准", 19900, 10)]).skus.get()
        url = f"/api/skus/{sku.public_id}"

        ok = client.patch(url, {"available": 7, "expected_available": 10}, content_type=JSON)
        assert ok.status_code == 200 and ok.json()["available"] == 7

        stale = client.patch(
            url, {"available": 50, "label": "大号", "expected_available": 10}, content_type=JSON
        )
        assert stale.status_code == 409
        assert stale.json()["code"] == "stock_changed"
        assert stale.json()["details"] == {"available": 7}
        sku.refresh_from_db()
        assert (sku.available, sku.label) == (7, "标准")

    def test_rupiah_in_minor_units_must_be_whole(self, client):
        from evillage.places.tests.factories import PlaceFactory

        shop = ShopFactory(village=PlaceFactory(country="id", code="3375021004"), currency="IDR")
        client.force_login(shop.owner)
        response = client.post(
            "/api/products",
            {
                "shop": shop.public_id,
                "category": CategoryFactory().slug,
                "title": "Kain Batik Tulis",
                "skus": [{"label": "M", "price_minor": 12345}],
            },
            content_type=JSON,
        )
        assert response.status_code == 400 and response.json()["code"] == "bad_price"

    def test_another_sellers_product_is_404_and_unchanged(self, client):
        product = ProductFactory(title="Mine")
        sku = product.skus.get()
        photo = ProductPhotoFactory(product=product)
        client.force_login(VerifiedSellerFactory())
        pid = product.public_id
        attempts = [
            client.patch(f"/api/products/{pid}", {"title": "Stolen"}, content_type=JSON),
            client.post(f"/api/products/{pid}/status", {"status": "delisted"}, content_type=JSON),
            client.post(
                f"/api/products/{pid}/skus", {"label": "X", "price": "1"}, content_type=JSON
            ),
            client.patch(f"/api/skus/{sku.public_id}", {"available": 0}, content_type=JSON),
            client.delete(f"/api/skus/{sku.public_id}"),
            client.delete(f"/api/photos/{photo.public_id}"),
            client.post(f"/api/products/{pid}/photos", {"photos": [image_upload()]}),
            client.post(
                "/api/products",
                {
                    "shop": product.shop.public_id,
                    "category": product.category.slug,
                    "title": "x y",
                    "skus": [{"label": "a", "price": "1"}],
                },
                content_type=JSON,
            ),
        ]
        assert [r.status_code for r in attempts] == [404] * len(attempts)
        product.refresh_from_db()
        sku.refresh_from_db()
        assert (product.title, product.status, sku.available) == ("Mine", "active", 10)
        assert product.skus.count() == 1 and product.photos.count() == 1

    def test_full_seller_flow(self, client, shop):
        category = CategoryFactory()
        created = client.post(
            "/api/products",
            {
                "shop": shop.public_id,
                "category": category.slug,
                "title": "Tea cake",
                "skus": [{"label": "357 g", "price": "88"}],
            },
            content_type=JSON,
        ).json()
        pid = created["id"]
        status = client.post(f"/api/products/{pid}/status", {"status": "active"}, content_type=JSON)
        assert (status.status_code, status.json()["code"]) == (400, "photo_required")
        uploaded = client.post(
            f"/api/products/{pid}/photos",
            {"photos": [image_upload(), image_upload("b.webp", fmt="WEBP")]},
        )
        assert uploaded.status_code == 201 and len(uploaded.json()) == 2
        bad = client.post(
            f"/api/products/{pid}/photos",
            {
                "photos": [
                    image_upload("x.jpg", fmt="GIF")[:0]
                    if False
                    else __import__(
                        "django.core.files.uploadedfile", fromlist=["x"]
                    ).SimpleUploadedFile("x.jpg", b"text")
                ]
            },
        )
        assert bad.json()["code"] == "photo_not_image"
        assert (
            client.post(
                f"/api/products/{pid}/status", {"status": "active"}, content_type=JSON
            ).json()["status"]
            == "active"
        )
        sku = client.post(
            f"/api/products/{pid}/skus",
            {"label": "1 kg", "price_minor": 20000, "available": 3},
            content_type=JSON,
        ).json()
        assert client.get(f"/api/products/{pid}").json()["price_max"] == 20000
        patched = client.patch(
            f"/api/skus/{sku['id']}", {"price": "150.5", "available": 9}, content_type=JSON
        ).json()
        assert (patched["price"], patched["available"]) == (15050, 9)
        assert client.delete(f"/api/skus/{sku['id']}").status_code == 204
        first_sku = created["skus"][0]["id"]
        assert client.delete(f"/api/skus/{first_sku}").json()["code"] == "last_sku"
        photos = client.get(f"/api/products/{pid}").json()["photos"]
        moved = client.post(
            f"/api/photos/{photos[1]['id']}/move", {"offset": -1}, content_type=JSON
        ).json()
        assert moved["position"] == 0
        assert client.delete(f"/api/photos/{photos[0]['id']}").status_code == 204
        assert (
            client.patch(
                f"/api/products/{pid}", {"title": "Pu'er tea cake"}, content_type=JSON
            ).json()["title"]
            == "Pu'er tea cake"
        )
