"""Seller centre pages: what a seller sees and what a stranger cannot touch."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.catalog.models import Product, ProductStatus, Sku
from evillage.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductPhotoFactory,
    image_upload,
)
from evillage.shops.models import Shop, ShopStaff, ShopStatus, StaffRole
from evillage.shops.tests.factories import ShopFactory
from evillage.web.templatetags.storefront import price_range

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return ShopFactory(name="Oak House")


@pytest.fixture
def owner_client(client, shop):
    client.force_login(shop.owner)
    return client


def url(name, *args):
    return reverse(f"shops:{name}", args=args)


def sku_rows(*rows, total=None, initial=0):
    data = {
        "skus-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "skus-INITIAL_FORMS": str(initial),
        "skus-MIN_NUM_FORMS": "0",
        "skus-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"skus-{index}-{key}"] = value
    return data


class TestDashboard:
    def test_anonymous_is_sent_to_log_in(self, client):
        response = client.get(url("dashboard"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_unverified_user_is_asked_to_verify(self, client):
        client.force_login(UserFactory())
        response = client.get(url("dashboard"))
        assert "Verify your identity first" in response.content.decode()
        assert reverse("accounts:profile") in response.content.decode()
        assert client.get(url("open")).status_code == 302

    def test_verified_seller_without_shop_is_invited_to_open_one(self, client):
        client.force_login(VerifiedSellerFactory())
        assert "Open your first shop" in client.get(url("dashboard")).content.decode()

    def test_lists_my_shops(self, owner_client, shop):
        ShopFactory(name="Someone else's")
        page = owner_client.get(url("dashboard")).content.decode()
        assert "Oak House" in page and "Someone else" not in page


class TestOpenShop:
    def test_form_defaults_to_my_village_and_opens_the_shop(self, client):
        seller = VerifiedSellerFactory()
        client.force_login(seller)
        assert seller.residence.key in client.get(url("open")).content.decode()
        response = client.post(
            url("open"),
            {
                "name": "Bamboo & Rattan",
                "kind": "individual",
                "village": seller.residence.key,
                "description": "Woven baskets",
                "logo": image_upload("logo.png", fmt="PNG"),
            },
        )
        shop = Shop.objects.get()
        assert response.status_code == 302 and response["Location"] == url("shop", shop.public_id)
        assert (shop.owner, shop.village, shop.name) == (
            seller,
            seller.residence,
            "Bamboo & Rattan",
        )
        assert shop.logo

    def test_errors_are_shown_and_nothing_is_created(self, client, shop):
        seller = VerifiedSellerFactory()
        client.force_login(seller)
        data = {"name": "OAK HOUSE", "kind": "individual", "village": seller.residence.key}
        page = client.post(url("open"), data).content.decode()
        assert "Another shop already has this name" in page
        data.update(name="New name", village="cn-999999999999")
        page = client.post(url("open"), data).content.decode()
        assert "Choose a place from the list" in page
        assert Shop.objects.count() == 1


class TestOthersCannotSeeOrTouch:
    def test_a_stranger_gets_404_on_every_page_and_changes_nothing(self, client, shop):
        product = ProductFactory(shop=shop, title="Mine")
        sku = product.skus.get()
        photo = ProductPhotoFactory(product=product)
        client.force_login(VerifiedSellerFactory())
        for page in [
            url("shop", shop.public_id),
            url("settings", shop.public_id),
            url("staff", shop.public_id),
            url("product_new", shop.public_id),
            url("product", shop.public_id, product.public_id),
        ]:
            assert client.get(page).status_code == 404, page
        posts = [
            (url("product", shop.public_id, product.public_id), {"title": "Stolen"}),
            (url("product_status", shop.public_id, product.public_id), {"status": "delisted"}),
            (url("sku_stock", shop.public_id, sku.public_id), {"available": "0"}),
            (url("photo_action", shop.public_id, photo.public_id), {"action": "remove"}),
            (url("shop_status", shop.public_id), {"action": "close"}),
        ]
        for target, data in posts:
            assert client.post(target, data).status_code == 404, target
        product.refresh_from_db()
        sku.refresh_from_db()
        shop.refresh_from_db()
        assert (product.title, product.status, sku.available) == ("Mine", "active", 10)
        assert product.photos.count() == 1 and shop.status == ShopStatus.OPEN

    def test_my_shop_url_with_another_shops_product_is_404(self, owner_client, shop):
        other = ProductFactory()
        response = owner_client.get(url("product", shop.public_id, other.public_id))
        assert response.status_code == 404

    def test_customer_service_sees_products_but_cannot_edit(self, client, shop):
        product = ProductFactory(shop=shop)
        helper = UserFactory()
        ShopStaff.objects.create(shop=shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
        client.force_login(helper)
        page = client.get(url("shop", shop.public_id)).content.decode()
        assert product.title in page
        assert client.get(url("product", shop.public_id, product.public_id)).status_code == 403
        assert client.get(url("settings", shop.public_id)).status_code == 403
        sku = product.skus.get()
        client.post(url("sku_stock", shop.public_id, sku.public_id), {"available": "0"})
        sku.refresh_from_db()
        assert sku.available == 10


class TestProductPages:
    def test_create_a_product_with_variants_without_javascript(self, owner_client, shop):
        category = CategoryFactory()
        page = owner_client.get(url("product_new", shop.public_id)).content.decode()
        assert 'name="skus-2-label"' in page  # blank rows for browsers without JS
        data = {"title": "<b>Oak</b> table", "category": category.slug, "description": "Solid"}
        data |= sku_rows(
            {"label": "120 cm", "price": "1299.00", "available": "3", "is_active": "on"},
            {"label": "160 cm", "price": "1599", "available": "1", "is_active": "on"},
            {"label": "", "price": "", "available": ""},
        )
        response = owner_client.post(url("product_new", shop.public_id), data)
        product = Product.objects.get()
        assert response.status_code == 302
        assert (product.title, product.status) == ("<b>Oak</b> table", ProductStatus.DRAFT)
        assert (product.price_min, product.price_max) == (129900, 159900)
        page = owner_client.get(url("shop", shop.public_id)).content.decode()
        assert "&lt;b&gt;Oak&lt;/b&gt; table" in page and "<b>Oak</b>" not in page

    def test_a_bad_price_on_a_row_is_shown_there_and_nothing_is_created(self, owner_client, shop):
        data = {"title": "Table", "category": CategoryFactory().slug}
        data |= sku_rows(
            {"label": "A", "price": "10", "available": "1", "is_active": "on"},
            {"label": "B", "price": "-3", "available": "1", "is_active": "on"},
        )
        response = owner_client.post(url("product_new", shop.public_id), data)
        assert response.status_code == 200
        assert "greater than zero" in response.content.decode()
        assert not Product.objects.exists()

    def test_edit_updates_adds_and_removes_variants_at_once(self, owner_client, shop):
        product = ProductFactory(
            shop=shop, status=ProductStatus.DRAFT, skus=[("A", 100, 1), ("B", 200, 2)]
        )
        a, b = product.skus.order_by("position")
        data = {"title": "Renamed", "category": product.category.slug, "description": ""}
        data |= sku_rows(
            {"id": a.public_id, "label": "A", "price": "1.50", "available": "5", "is_active": "on"},
            {"id": b.public_id, "label": "B", "price": "2", "available": "2", "DELETE": "on"},
            {"label": "C", "price": "3", "available": "7", "is_active": "on"},
            initial=2,
        )
        response = owner_client.post(url("product", shop.public_id, product.public_id), data)
        assert response.status_code == 302
        product.refresh_from_db()
        assert product.title == "Renamed"
        assert list(product.skus.values_list("label", "price", "available")) == [
            ("A", 150, 5),
            ("C", 300, 7),
        ]

    def test_an_error_on_one_row_rolls_back_the_whole_edit(self, owner_client, shop):
        product = ProductFactory(shop=shop, title="Original", skus=[("A", 100, 1)])
        a = product.skus.get()
        data = {"title": "Renamed", "category": product.category.slug}
        data |= sku_rows(
            {"id": a.public_id, "label": "A", "price": "9", "available": "4", "is_active": "on"},
            {"label": "B", "price": "99999999999", "available": "1", "is_active": "on"},
            initial=1,
        )
        response = owner_client.post(url("product", shop.public_id, product.public_id), data)
        assert response.status_code == 200
        assert "The amount is too large." in response.content.decode()
        product.refresh_from_db()
        a.refresh_from_db()
        assert (product.title, a.price, a.available, product.skus.count()) == (
            "Original",
            100,
            1,
            1,
        )

    def test_variant_row_for_htmx(self, owner_client, shop):
        response = owner_client.get(
            url("variant_row", shop.public_id) + "?index=4", HTTP_HX_REQUEST="true"
        )
        page = response.content.decode()
        assert 'name="skus-4-label"' in page
        assert 'id="id_skus-TOTAL_FORMS" value="5" hx-swap-oob="true"' in page

    def test_inline_stock_update_with_htmx_and_plain_post(self, owner_client, shop):
        product = ProductFactory(shop=shop)
        sku = product.skus.get()
        target = url("sku_stock", shop.public_id, sku.public_id)
        response = owner_client.post(target, {"available": "42"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and 'value="42"' in response.content.decode()
        assert "<html" not in response.content.decode()
        response = owner_client.post(target, {"available": "7"})
        assert response.status_code == 302
        sku.refresh_from_db()
        assert sku.available == 7
        response = owner_client.post(target, {"available": "-4"}, HTTP_HX_REQUEST="true")
        assert "errorlist" in response.content.decode()
        response = owner_client.post(target, {"available": "2000000"}, follow=True)
        sku.refresh_from_db()
        assert sku.available == 7

    def test_put_on_sale_needs_a_photo_then_works(self, owner_client, shop):
        product = ProductFactory(shop=shop, status=ProductStatus.DRAFT)
        target = url("product_status", shop.public_id, product.public_id)
        response = owner_client.post(target, {"status": "active"}, follow=True)
        assert "Add at least one photo" in response.content.decode()
        product.refresh_from_db()
        assert product.status == ProductStatus.DRAFT
        upload = url("photo_upload", shop.public_id, product.public_id)
        owner_client.post(
            upload, {"photos": [image_upload("a.jpg"), image_upload("b.png", fmt="PNG")]}
        )
        assert product.photos.count() == 2
        owner_client.post(target, {"status": "active"})
        product.refresh_from_db()
        assert product.status == ProductStatus.ACTIVE
        owner_client.post(target, {"status": "delisted"})
        product.refresh_from_db()
        assert product.status == ProductStatus.DELISTED

    def test_broken_upload_shows_an_error_and_stores_nothing(self, owner_client, shop):
        from django.core.files.uploadedfile import SimpleUploadedFile

        product = ProductFactory(shop=shop, status=ProductStatus.DRAFT)
        upload = url("photo_upload", shop.public_id, product.public_id)
        bad = SimpleUploadedFile("notes.jpg", b"hello, not a photo")
        response = owner_client.post(upload, {"photos": [image_upload(), bad]}, follow=True)
        assert "not a photo we can read" in response.content.decode()
        assert not product.photos.exists()

    def test_move_and_remove_photos(self, owner_client, shop):
        product = ProductFactory(shop=shop, status=ProductStatus.DRAFT)
        first, second = (
            ProductPhotoFactory(product=product, position=0),
            ProductPhotoFactory(product=product, position=1),
        )
        owner_client.post(url("photo_action", shop.public_id, second.public_id), {"action": "left"})
        assert list(product.photos.values_list("pk", flat=True)) == [second.pk, first.pk]
        owner_client.post(
            url("photo_action", shop.public_id, second.public_id), {"action": "remove"}
        )
        assert list(product.photos.values_list("pk", flat=True)) == [first.pk]

    def test_edit_page_shows_photos_and_status_actions(self, owner_client, shop):
        product = ProductFactory(shop=shop)
        ProductPhotoFactory(product=product)
        page = owner_client.get(url("product", shop.public_id, product.public_id)).content.decode()
        assert "Delist" in page and 'id="photos"' in page and 'name="skus-0-label"' in page


class TestSettingsAndStaffPages:
    def test_rename_close_and_reopen(self, owner_client, shop):
        owner_client.post(
            url("settings", shop.public_id), {"name": "Elm House", "description": "d"}
        )
        owner_client.post(url("shop_status", shop.public_id), {"action": "close"})
        shop.refresh_from_db()
        assert (shop.name, shop.status) == ("Elm House", ShopStatus.CLOSED)
        owner_client.post(url("shop_status", shop.public_id), {"action": "reopen"})
        shop.refresh_from_db()
        assert shop.status == ShopStatus.OPEN

    def test_add_and_remove_staff(self, owner_client, shop):
        helper = UserFactory(email="helper@example.com", phone=None)
        response = owner_client.post(
            url("staff", shop.public_id),
            {"login": "helper@example.com", "role": "customer_service"},
        )
        assert response.status_code == 302
        assert shop.staff.filter(user=helper).exists()
        page = owner_client.post(
            url("staff", shop.public_id), {"login": "ghost@example.com", "role": "customer_service"}
        ).content.decode()
        assert "No one has an account" in page
        owner_client.post(url("staff_remove", shop.public_id, helper.public_id))
        assert not shop.staff.filter(user=helper).exists()


class _FormReader(HTMLParser):
    """The fields a browser would submit from the form posting to `action`."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.data = action, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data[attrs["name"]] = attrs.get("value") or (
                    "on" if attrs.get("type") == "checkbox" else ""
                )
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        self._textarea = None if tag == "textarea" else self._textarea
        self._select = None if tag == "select" else self._select

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_on_page(client, page_url: str, action: str | None = None) -> dict:
    """What submitting the form (posting to `action`, by default the page) would send."""
    reader = _FormReader(action or page_url)
    reader.feed(client.get(page_url).content.decode())
    return reader.data


class TestStockIsNotOverwritten:
    """Stock moves while a seller has the edit page open (the inline stock form, and
    orders later on); saving the page must not put back the count it showed."""

    def test_saving_the_title_keeps_stock_changed_meanwhile(self, owner_client, shop):
        product = ProductFactory(shop=shop, title="Oak table", status=ProductStatus.DRAFT)
        sku = product.skus.get()
        edit = url("product", shop.public_id, product.public_id)
        data = form_on_page(owner_client, edit)  # the page shows stock 10
        assert data["skus-0-available"] == "10"
        # Meanwhile, in another tab, the inline stock form of the product list: 10 → 3.
        stock_url = url("sku_stock", shop.public_id, sku.public_id)
        stock_form = form_on_page(owner_client, url("shop", shop.public_id), stock_url)
        assert owner_client.post(stock_url, stock_form | {"available": "3"}).status_code == 302
        sku.refresh_from_db()
        assert sku.available == 3
        response = owner_client.post(edit, data | {"title": "Oak table, 120 cm"})
        assert response.status_code == 302
        product.refresh_from_db()
        sku.refresh_from_db()
        assert (product.title, sku.available) == ("Oak table, 120 cm", 3)

    def test_a_stock_typed_on_a_stale_page_is_refused_and_nothing_is_saved(
        self, owner_client, shop
    ):
        product = ProductFactory(shop=shop, title="Oak table", status=ProductStatus.DRAFT)
        sku = product.skus.get()
        edit = url("product", shop.public_id, product.public_id)
        data = form_on_page(owner_client, edit) | {"title": "Renamed", "skus-0-available": "12"}
        Sku.objects.filter(pk=sku.pk).update(available=3)  # e.g. an order took 7
        response = owner_client.post(edit, data)
        assert response.status_code == 200
        assert "changed to 3 while you were editing" in response.content.decode()
        product.refresh_from_db()
        sku.refresh_from_db()
        assert (product.title, sku.available) == ("Oak table", 3)
        # The page now carries the current count: saving again is a deliberate overwrite.
        reader = _FormReader(edit)
        reader.feed(response.content.decode())
        assert reader.data["initial-skus-0-available"] == "3"
        assert owner_client.post(edit, reader.data).status_code == 302
        sku.refresh_from_db()
        assert sku.available == 12

    def test_the_inline_stock_form_refuses_a_stale_count(self, owner_client, shop):
        sku = ProductFactory(shop=shop).skus.get()
        Sku.objects.filter(pk=sku.pk).update(available=3)
        target = url("sku_stock", shop.public_id, sku.public_id)
        response = owner_client.post(
            target, {"available": "50", "expected": "10"}, HTTP_HX_REQUEST="true"
        )
        page = response.content.decode()
        assert "changed to 3" in page and 'name="expected" value="3"' in page
        sku.refresh_from_db()
        assert sku.available == 3
        response = owner_client.post(target, {"available": "50", "expected": "10"}, follow=True)
        assert "changed to 3" in response.content.decode()
        sku.refresh_from_db()
        assert sku.available == 3


class TestProductList:
    def test_thirty_products_a_page_and_the_status_filter_stays_in_the_links(
        self, owner_client, shop
    ):
        drafts = ProductFactory.create_batch(31, shop=shop, status=ProductStatus.DRAFT)
        ProductFactory(shop=shop, title="Listed stool", status=ProductStatus.ACTIVE)
        first = owner_client.get(url("shop", shop.public_id), {"status": "draft"})
        page = first.content.decode()
        assert page.count('class="panel seller-product"') == 30
        assert "Listed stool" not in page
        assert "Page 1 of 2" in page
        assert "?status=draft&amp;page=2" in page
        second = owner_client.get(url("shop", shop.public_id), {"status": "draft", "page": "2"})
        page = second.content.decode()
        assert page.count('class="panel seller-product"') == 1
        assert drafts[0].title in page  # the oldest comes last
        assert "?status=draft&amp;page=1" in page
        everything = owner_client.get(url("shop", shop.public_id), {"page": "99"})
        assert everything.content.decode().count('class="panel seller-product"') == 2

    def test_an_unknown_status_shows_every_product(self, owner_client, shop):
        ProductFactory(shop=shop, title="Listed")
        page = owner_client.get(url("shop", shop.public_id), {"status": "nonsense"})
        assert "Listed" in page.content.decode()

    def test_prices_as_the_storefront_writes_them_and_a_dash_without_one(self, owner_client, shop):
        ProductFactory(shop=shop, skus=[("S", 1990, 1), ("L", 3990, 1)])
        no_price = ProductFactory(shop=shop, status=ProductStatus.DRAFT, title="Unpriced")
        Product.objects.filter(pk=no_price.pk).update(price_min=None, price_max=None)
        page = owner_client.get(url("shop", shop.public_id)).content.decode()
        assert price_range(1990, 3990, "CNY") in page
        assert '<span class="price">—</span>' in page


def test_the_staff_page_masks_logins_of_people_without_a_display_name(owner_client, shop):
    helper = UserFactory(display_name="", phone="+8613900000001")
    ShopStaff.objects.create(shop=shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
    page = owner_client.get(url("staff", shop.public_id)).content.decode()
    assert "+86139****0001" in page and "+8613900000001" not in page
    assert shop.owner.display_name in page
