import pytest

from evillage.accounts.selectors import user_is_verified
from evillage.catalog.tests.factories import ProductFactory


@pytest.mark.django_db
def test_a_factory_product_belongs_to_a_verified_sellers_village_shop():
    product = ProductFactory()
    shop = product.shop
    assert user_is_verified(user=shop.owner)
    assert shop.village == shop.owner.residence
    assert shop.village.parent.parent.parent.parent.level == 1
    assert product.price_min == 19900
