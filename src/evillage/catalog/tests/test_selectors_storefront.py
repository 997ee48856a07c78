"""Storefront selectors: the category tree, sorts, search terms, who sees a product."""

import pytest
from django.contrib.auth.models import AnonymousUser

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog import selectors
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
from evillage.core.errors import NotFound
from evillage.shops.models import ShopStaff, StaffRole
from evillage.shops.tests.factories import ShopFactory


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("price_asc", "price_asc"),
        ("sales", "sales"),
        ("", "newest"),
        (None, "newest"),
        ("x", "newest"),
    ],
)
def test_unknown_sorts_fall_back_to_newest(given, used):
    assert selectors.normalize_sort(given) == used


def test_search_terms_split_on_any_whitespace_and_are_capped():
    assert selectors.search_terms(" batik\u3000tulis \t solo ") == ["batik", "tulis", "solo"]
    assert selectors.search_terms("北欧实木餐桌") == ["北欧实木餐桌"]
    assert len(selectors.search_terms(" ".join("abcdefghijklmnop"))) == selectors.SEARCH_MAX_TERMS


@pytest.mark.django_db
def test_category_tree_knows_ancestors_and_subtrees():
    root = CategoryFactory(slug="t-root")
    child = CategoryFactory(slug="t-child", parent=root)
    leaf = CategoryFactory(slug="t-leaf", parent=child)
    tree = selectors.category_tree()
    assert tree.by_slug("t-leaf") == leaf
    assert tree.ancestors(leaf) == [root, child]
    assert set(tree.subtree_ids(root)) == {root.pk, child.pk, leaf.pk}
    assert root in tree.roots and child not in tree.roots


@pytest.mark.django_db
def test_category_counts_add_up_subcategories_and_skip_hidden_products():
    root = CategoryFactory(slug="c-root")
    child = CategoryFactory(slug="c-child", parent=root)
    shop = ShopFactory()
    ProductFactory(shop=shop, category=child)
    ProductFactory(shop=shop, category=root)
    ProductFactory(shop=shop, category=root, status="draft")
    counts = selectors.category_product_counts(tree=selectors.category_tree())
    assert counts[root.pk] == 2
    assert counts[child.pk] == 1


def test_control_characters_separate_search_terms_and_never_reach_the_database():
    assert selectors.search_terms("桌\x00子\x1fbatik\x7f\x85tulis") == [
        "桌",
        "子",
        "batik",
        "tulis",
    ]
    assert selectors.clean_search_query("\x01 沙集\x02家具 \x9f") == "沙集 家具"
    assert selectors.search_terms("\x00\x01\x02") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("product_status", "shop_status", "public"),
    [
        ("active", "open", True),
        ("draft", "open", False),
        ("delisted", "open", False),
        ("banned", "open", False),
        ("active", "closed", False),
        ("active", "suspended", False),
    ],
)
def test_one_visibility_rule_for_pages_and_api(product_status, shop_status, public):
    """Anyone sees a public product; staff of its shop see it in any status, as a preview
    on the page; anyone else learns nothing (None, or NotFound for the page)."""
    product = ProductFactory(status=product_status, shop=ShopFactory(status=shop_status))
    stranger, other_owner = AnonymousUser(), ShopFactory().owner
    worker = UserFactory()
    ShopStaff.objects.create(shop=product.shop, user=worker, role=StaffRole.CUSTOMER_SERVICE)
    for staff in (product.shop.owner, worker):
        assert selectors.product_visible_to(user=staff, public_id=product.public_id) == product
        page = selectors.product_for_display(user=staff, public_id=product.public_id)
        assert page.product == product and page.preview is not public
    for outsider in (stranger, other_owner):
        found = selectors.product_visible_to(user=outsider, public_id=product.public_id)
        assert found == (product if public else None)
        if public:
            page = selectors.product_for_display(user=outsider, public_id=product.public_id)
            assert page.preview is False
        else:
            with pytest.raises(NotFound) as caught:
                selectors.product_for_display(user=outsider, public_id=product.public_id)
            assert caught.value.code == "product_not_found"


@pytest.mark.django_db
def test_unknown_product_is_none_or_not_found():
    assert selectors.product_visible_to(user=AnonymousUser(), public_id="0" * 16) is None
    with pytest.raises(NotFound):
        selectors.product_for_display(user=AnonymousUser(), public_id="0" * 16)
