"""Storefront selectors: the category tree, sorts and search terms."""

import pytest

from evillage.catalog import selectors
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
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
