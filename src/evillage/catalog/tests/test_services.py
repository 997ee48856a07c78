"""Seller-side catalogue services: products, variants, status, bans."""

import pytest

from evillage.accounts.models import Role
from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.catalog.models import Category, Product, ProductStatus, Sku
from evillage.catalog.services import (
    SkuInput,
    product_ban,
    product_create,
    product_set_status,
    product_unban,
    product_update,
    sku_add,
    sku_remove,
    sku_set_stock,
    sku_update,
)
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory, ProductPhotoFactory
from evillage.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from evillage.shops.models import ShopStaff, ShopStatus, StaffRole
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return ShopFactory()


@pytest.fixture
def owner(shop):
    return shop.owner


@pytest.fixture
def category():
    return CategoryFactory()


def make(shop, owner, category, **kwargs):
    args = {
        "title": "  Oak dining table  ",
        "description": "Solid oak.",
        "skus": [SkuInput(label="120 cm", price="1299.00", available=3)],
    }
    args.update(kwargs)
    return product_create(shop=shop, actor=owner, category=category, **args)


def codes(excinfo) -> str:
    return excinfo.value.code


class TestSeededCategories:
    def test_the_tree_has_eighteen_top_categories_each_with_three_to_six_subcategories(self):
        tops = Category.objects.filter(parent=None, slug__in=["furniture", "crafts", "toys"])
        assert tops.count() == 3
        seeded_tops = Category.objects.filter(parent=None).exclude(slug__startswith="test-")
        assert seeded_tops.count() == 18
        for top in seeded_tops:
            assert 3 <= top.children.count() <= 6, top.slug
            assert 200 <= top.commission_bp <= 500

    def test_names_exist_in_english_chinese_and_indonesian(self):
        tea = Category.objects.get(slug="tea")
        assert (tea.name_en, tea.name_zh_hans, tea.name_id) == ("Tea", "茶叶", "Teh")
        assert tea.parent.slug == "food-farm-produce"
        assert set(
            Category.objects.get(slug="furniture").children.values_list("slug", flat=True)
        ) >= {
            "solid-wood-furniture",
            "sofas",
            "beds",
            "tables-chairs",
        }


class TestProductCreate:
    def test_creates_a_draft_with_stripped_title_and_price_range(self, shop, owner, category):
        product = make(
            shop,
            owner,
            category,
            skus=[
                SkuInput(label="120 cm", price="1299.00", available=3),
                SkuInput(label="160 cm", price_minor=159900, available=1),
            ],
        )
        assert product.status == ProductStatus.DRAFT
        assert product.title == "Oak dining table"
        assert product.currency == "CNY"
        assert (product.price_min, product.price_max) == (129900, 159900)
        assert list(product.skus.values_list("label", flat=True)) == ["120 cm", "160 cm"]

    def test_html_in_the_title_is_stored_as_typed(self, shop, owner, category):
        product = make(shop, owner, category, title="<b>Best</b> table <script>x</script>")
        assert product.title == "<b>Best</b> table <script>x</script>"

    @pytest.mark.parametrize(
        ("price", "code"),
        [
            ("-5", "bad_price"),
            ("0", "bad_price"),
            ("abc", "bad_price"),
            ("1.999", "bad_price"),
            ("99999999999", "bad_price"),
            ("1000000.01", "bad_price"),
            ("NaN", "bad_price"),
        ],
    )
    def test_bad_prices_are_refused_and_nothing_is_created(
        self, shop, owner, category, price, code
    ):
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, skus=[SkuInput(label="A", price=price, available=1)])
        assert codes(excinfo) == code
        assert excinfo.value.details == {"sku": 0}
        assert not Product.objects.exists()

    @pytest.mark.parametrize("price_minor", [0, -1, 10**15, True])
    def test_bad_minor_unit_prices_are_refused(self, shop, owner, category, price_minor):
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, skus=[SkuInput(label="A", price_minor=price_minor)])
        assert codes(excinfo) == "bad_price"

    @pytest.mark.parametrize("stock", [-1, 1_000_001, 10**12])
    def test_absurd_stock_is_refused(self, shop, owner, category, stock):
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, skus=[SkuInput(label="A", price="1", available=stock)])
        assert codes(excinfo) == "bad_stock"
        assert not Product.objects.exists()

    @pytest.mark.parametrize(("title", "code"), [(" x ", "bad_title"), ("x" * 121, "bad_title")])
    def test_title_length_is_checked_after_stripping(self, shop, owner, category, title, code):
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, title=title)
        assert codes(excinfo) == code

    def test_long_description_is_refused(self, shop, owner, category):
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, description="x" * 5001)
        assert codes(excinfo) == "description_too_long"
        assert "at most 5000 characters" in excinfo.value.message

    def test_a_product_description_may_be_longer_than_a_shops(self, shop, owner, category):
        """Products allow 5,000 characters, shops 2,000 (one cleaning helper, two limits)."""
        product = make(shop, owner, category, description=" " + "x" * 5000 + " ")
        assert product.description == "x" * 5000

    def test_needs_a_variant_and_at_most_fifty(self, shop, owner, category):
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, skus=[])
        assert codes(excinfo) == "sku_required"
        many = [SkuInput(label=f"v{i}", price="1") for i in range(51)]
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, skus=many)
        assert codes(excinfo) == "too_many_skus"

    def test_variant_labels_are_unique_per_product(self, shop, owner, category):
        skus = [SkuInput(label="Red", price="1"), SkuInput(label=" red ", price="2")]
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, category, skus=skus)
        assert codes(excinfo) == "sku_label_taken"
        assert excinfo.value.details == {"sku": 1}

    def test_a_top_category_with_subcategories_is_refused(self, shop, owner):
        with pytest.raises(DomainError) as excinfo:
            make(shop, owner, Category.objects.get(slug="furniture"))
        assert codes(excinfo) == "category_not_leaf"

    def test_idr_shop_prices_in_rupiah(self, category):
        from evillage.places.tests.factories import PlaceFactory

        seller = VerifiedSellerFactory(residence=PlaceFactory(country="id", code="3309012001"))
        shop = ShopFactory(owner=seller, currency="IDR")
        product = make(shop, seller, category, skus=[SkuInput(label="1 kg", price="125000")])
        assert product.currency == "IDR"
        assert product.price_min == 12_500_000

    def test_another_seller_cannot_create_in_my_shop(self, shop, category):
        other = VerifiedSellerFactory()
        with pytest.raises(NotFound):
            make(shop, other, category)
        assert not Product.objects.exists()

    def test_customer_service_cannot_create_products(self, shop, category):
        helper = UserFactory()
        ShopStaff.objects.create(shop=shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
        with pytest.raises(PermissionDenied) as excinfo:
            make(shop, helper, category)
        assert codes(excinfo) == "owner_only"


class TestProductUpdate:
    def test_owner_changes_fields(self, category):
        product = ProductFactory()
        other_category = CategoryFactory()
        product_update(
            product=product, actor=product.shop.owner, title="New title", category=other_category
        )
        product.refresh_from_db()
        assert (product.title, product.category) == ("New title", other_category)

    def test_another_seller_changes_nothing(self):
        product = ProductFactory(title="Mine")
        with pytest.raises(NotFound):
            product_update(product=product, actor=VerifiedSellerFactory(), title="Stolen")
        product.refresh_from_db()
        assert product.title == "Mine"

    def test_bad_input_changes_nothing(self):
        product = ProductFactory(title="Mine", description="d")
        with pytest.raises(DomainError):
            product_update(product=product, actor=product.shop.owner, description="ok", title="x")
        product.refresh_from_db()
        assert (product.title, product.description) == ("Mine", "d")


class TestProductStatus:
    def test_a_draft_needs_a_photo_to_go_on_sale(self):
        product = ProductFactory(status=ProductStatus.DRAFT)
        with pytest.raises(DomainError) as excinfo:
            product_set_status(product=product, actor=product.shop.owner, status="active")
        assert codes(excinfo) == "photo_required"
        ProductPhotoFactory(product=product)
        product_set_status(product=product, actor=product.shop.owner, status="active")
        assert product.status == ProductStatus.ACTIVE

    def test_needs_an_active_variant(self):
        product = ProductFactory(status=ProductStatus.DRAFT)
        ProductPhotoFactory(product=product)
        product.skus.update(is_active=False)
        with pytest.raises(DomainError) as excinfo:
            product_set_status(product=product, actor=product.shop.owner, status="active")
        assert codes(excinfo) == "sku_required"

    def test_delist_and_relist(self):
        product = ProductFactory()
        ProductPhotoFactory(product=product)
        owner = product.shop.owner
        product_set_status(product=product, actor=owner, status="delisted")
        assert product.status == ProductStatus.DELISTED
        product_set_status(product=product, actor=owner, status="active")
        assert product.status == ProductStatus.ACTIVE

    def test_a_closed_shop_cannot_put_products_on_sale(self):
        product = ProductFactory(status=ProductStatus.DRAFT)
        ProductPhotoFactory(product=product)
        product.shop.status = ShopStatus.CLOSED
        product.shop.save()
        with pytest.raises(Conflict) as excinfo:
            product_set_status(product=product, actor=product.shop.owner, status="active")
        assert codes(excinfo) == "shop_not_open"

    def test_seller_cannot_ban(self):
        product = ProductFactory()
        with pytest.raises(DomainError) as excinfo:
            product_set_status(product=product, actor=product.shop.owner, status="banned")
        assert codes(excinfo) == "bad_status"

    def test_banned_product_cannot_be_relisted_until_unbanned(self):
        product = ProductFactory()
        ProductPhotoFactory(product=product)
        operator = UserFactory(with_roles=[Role.OPERATOR])
        product_ban(product=product, actor=operator, reason="Counterfeit brand logo")
        assert (product.status, product.ban_reason) == ("banned", "Counterfeit brand logo")
        with pytest.raises(Conflict) as excinfo:
            product_set_status(product=product, actor=product.shop.owner, status="active")
        assert codes(excinfo) == "product_banned"
        product_unban(product=product, actor=operator)
        assert (product.status, product.ban_reason) == ("delisted", "")
        product_set_status(product=product, actor=product.shop.owner, status="active")
        assert product.status == "active"

    def test_a_ban_needs_an_operator_and_a_reason(self):
        product = ProductFactory()
        with pytest.raises(PermissionDenied):
            product_ban(product=product, actor=product.shop.owner, reason="I ban myself")
        with pytest.raises(DomainError) as excinfo:
            product_ban(product=product, actor=UserFactory(with_roles=[Role.OPERATOR]), reason=" ")
        assert codes(excinfo) == "reason_required"
        product.refresh_from_db()
        assert product.status == ProductStatus.ACTIVE


class TestSkus:
    def test_add_update_remove_keep_the_price_range(self):
        product = ProductFactory()  # one SKU at 199.00
        owner = product.shop.owner
        big = sku_add(product=product, actor=owner, sku=SkuInput(label="Big", price="399.50"))
        assert (product.price_min, product.price_max) == (19900, 39950)
        sku_update(sku=big, actor=owner, price="99")
        product.refresh_from_db()
        assert (product.price_min, product.price_max) == (9900, 19900)
        sku_remove(sku=big, actor=owner)
        product.refresh_from_db()
        assert (product.price_min, product.price_max) == (19900, 19900)

    def test_inactive_variants_do_not_count_in_the_price_range(self):
        product = ProductFactory(skus=[("A", 100, 1), ("B", 500, 1)])
        sku_update(sku=product.skus.get(label="B"), actor=product.shop.owner, is_active=False)
        product.refresh_from_db()
        assert (product.price_min, product.price_max) == (100, 100)

    def test_the_last_variant_of_an_active_product_stays(self):
        product = ProductFactory()
        sku = product.skus.get()
        with pytest.raises(Conflict) as excinfo:
            sku_remove(sku=sku, actor=product.shop.owner)
        assert codes(excinfo) == "last_sku"
        with pytest.raises(Conflict):
            sku_update(sku=sku, actor=product.shop.owner, is_active=False)
        assert Sku.objects.filter(pk=sku.pk, is_active=True).exists()

    def test_labels_unique_and_limit(self):
        product = ProductFactory(skus=[(f"v{i}", 100, 1) for i in range(50)])
        with pytest.raises(DomainError) as excinfo:
            sku_add(product=product, actor=product.shop.owner, sku=SkuInput(label="x", price="1"))
        assert codes(excinfo) == "too_many_skus"
        with pytest.raises(DomainError) as excinfo:
            sku_update(sku=product.skus.get(label="v1"), actor=product.shop.owner, label="V2")
        assert codes(excinfo) == "sku_label_taken"

    def test_set_stock_is_absolute_and_bounded(self):
        product = ProductFactory()
        sku = product.skus.get()
        sku_set_stock(sku=sku, actor=product.shop.owner, available=0)
        assert sku.available == 0
        sku_set_stock(sku=sku, actor=product.shop.owner, available=1_000_000)
        assert sku.available == 1_000_000
        for bad in (-1, 1_000_001, "5"):
            with pytest.raises(DomainError) as excinfo:
                sku_set_stock(sku=sku, actor=product.shop.owner, available=bad)
            assert codes(excinfo) == "bad_stock"
        sku.refresh_from_db()
        assert sku.available == 1_000_000

    def test_set_stock_with_the_count_shown_refuses_if_it_moved_meanwhile(self):
        product = ProductFactory()  # 10 in stock
        sku = product.skus.get()
        owner = product.shop.owner
        sku_set_stock(sku=sku, actor=owner, available=8, expected=10)
        assert sku.available == 8
        with pytest.raises(Conflict) as excinfo:
            sku_set_stock(sku=sku, actor=owner, available=20, expected=10)
        assert (excinfo.value.code, excinfo.value.details) == ("stock_changed", {"available": 8})
        assert "changed to 8" in excinfo.value.message
        sku.refresh_from_db()
        assert sku.available == 8

    def test_another_seller_cannot_touch_my_variants(self):
        product = ProductFactory()
        sku = product.skus.get()
        other = VerifiedSellerFactory()
        with pytest.raises(NotFound):
            sku_set_stock(sku=sku, actor=other, available=0)
        with pytest.raises(NotFound):
            sku_update(sku=sku, actor=other, price="0.01")
        sku.refresh_from_db()
        assert (sku.available, sku.price) == (10, 19900)
