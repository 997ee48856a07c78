"""Operators' admin for shops, products and categories."""

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import ProductStatus
from evillage.catalog.tests.factories import ProductFactory, ProductPhotoFactory
from evillage.shops.models import ShopStatus
from evillage.shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelists_and_change_pages_render(admin_client):
    product = ProductFactory(title="<script>x</script> stool")
    ProductPhotoFactory(product=product)
    for name in ("shops_shop", "catalog_product", "catalog_category"):
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; stool" in page and "<script>x</script>" not in page
    change = admin_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert change.status_code == 200
    assert product.photos.get().thumb.url in change.content.decode()
    assert (
        admin_client.get(reverse("admin:shops_shop_change", args=[product.shop.pk])).status_code
        == 200
    )


def test_categories_are_listed_as_a_tree(admin_client):
    page = admin_client.get(reverse("admin:catalog_category_changelist") + "?all=").content.decode()
    assert page.index("Furniture") < page.index("— Sofas") < page.index("Home improvement")


def test_ban_needs_a_reason_then_unban(admin_client):
    product = ProductFactory()
    changelist = reverse("admin:catalog_product_changelist")
    data = {"action": "ban", "_selected_action": [product.pk], "reason": ""}
    admin_client.post(changelist, data)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE
    admin_client.post(changelist, {**data, "reason": "Fake brand"})
    product.refresh_from_db()
    assert (product.status, product.ban_reason) == (ProductStatus.BANNED, "Fake brand")
    admin_client.post(changelist, {"action": "unban", "_selected_action": [product.pk]})
    product.refresh_from_db()
    assert product.status == ProductStatus.DELISTED


def test_feature_and_suspend_shops(admin_client):
    shop = ShopFactory()
    changelist = reverse("admin:shops_shop_changelist")
    admin_client.post(changelist, {"action": "feature", "_selected_action": [shop.pk]})
    admin_client.post(changelist, {"action": "suspend", "_selected_action": [shop.pk]})
    shop.refresh_from_db()
    assert shop.is_featured and shop.status == ShopStatus.SUSPENDED


def test_search_shops_by_owner_phone(admin_client):
    shop = ShopFactory(name="Findable")
    ShopFactory(name="Other")
    page = admin_client.get(
        reverse("admin:shops_shop_changelist"), {"q": shop.owner.phone}
    ).content.decode()
    assert "Findable" in page and ">Other<" not in page


def test_shop_change_form_leaves_owner_kind_village_currency_status_and_logo_alone(
    admin_client,
):
    shop = ShopFactory(name="Fixed")
    owner, village = shop.owner, shop.village
    other = ShopFactory()
    change = reverse("admin:shops_shop_change", args=[shop.pk])
    page = admin_client.get(change).content.decode()
    for field in ("owner", "kind", "village", "status", "is_featured", "logo"):
        assert f'name="{field}"' not in page, field
    response = admin_client.post(
        change,
        {
            "name": "Renamed by an operator",
            "description": "",
            "owner": other.owner.pk,
            "kind": "supplier",
            "village": other.village.pk,
            "status": "closed",
            "is_featured": "on",
            "staff-TOTAL_FORMS": "0",
            "staff-INITIAL_FORMS": "1",
        },
    )
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.name == "Renamed by an operator"
    assert (shop.owner, shop.kind, shop.village, shop.status, shop.is_featured) == (
        owner,
        "individual",
        village,
        ShopStatus.OPEN,
        False,
    )


def test_product_shop_is_read_only_and_photos_cannot_be_deleted_in_the_admin(admin_client):
    product = ProductFactory(title="Stool")
    photo = ProductPhotoFactory(product=product)
    other_shop = ShopFactory()
    change = reverse("admin:catalog_product_change", args=[product.pk])
    page = admin_client.get(change).content.decode()
    assert 'name="shop"' not in page and "photos-0-DELETE" not in page
    response = admin_client.post(
        change,
        {
            "shop": other_shop.pk,
            "category": product.category.pk,
            "title": "Stool",
            "description": "",
            "skus-TOTAL_FORMS": "1",
            "skus-INITIAL_FORMS": "1",
            "skus-0-id": product.skus.get().pk,
            "skus-0-product": product.pk,
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "1",
            "photos-0-id": photo.pk,
            "photos-0-product": product.pk,
            "photos-0-position": "7",
            "photos-0-DELETE": "on",
        },
    )
    assert response.status_code == 302
    product.refresh_from_db()
    photo.refresh_from_db()
    assert product.shop != other_shop
    assert photo.position != 7


def test_products_and_shops_cannot_be_deleted_in_bulk_or_one_by_one(admin_client):
    product = ProductFactory()
    for model, obj in (("catalog_product", product), ("shops_shop", product.shop)):
        changelist = reverse(f"admin:{model}_changelist")
        assert 'value="delete_selected"' not in admin_client.get(changelist).content.decode()
        admin_client.post(
            changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        delete = reverse(f"admin:{model}_delete", args=[obj.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()
