"""Wholesale buying through the ordinary checkout: tier prices by the offer's quantity,
minimum order quantities, samples, and the supplier's terms rules."""

import pytest

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import Sku
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.orders.models import CartLine, Order, OrderLine, OrderState
from evillage.orders.selectors import cart_groups
from evillage.orders.services.cart import cart_add
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.lifecycle import order_confirm, order_ship
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.tests.factories import (
    assert_books_balance,
    escrow_balance,
    fund_wallet,
    item,
    make_sku,
    ship_to,
    wallet_balance,
)
from evillage.shops.models import ShopStaff, StaffRole
from evillage.sourcing.models import PriceTier, WholesaleTerms
from evillage.sourcing.selectors import (
    has_sourcing_relationship,
    purchase_orders,
    suppliers_of,
    tier_unit_price,
)
from evillage.sourcing.services import wholesale_cart_put, wholesale_terms_set
from evillage.sourcing.tests.factories import (
    make_offer,
    paid_wholesale_order,
    retail_seller,
    variants_of,
)

pytestmark = pytest.mark.django_db


def buy(buyer, *pairs):
    return checkout_create(
        buyer=buyer, items=[item(sku, n) for sku, n in pairs], ship_to=ship_to(buyer)
    )


@pytest.mark.parametrize(
    ("quantity", "unit_price"), [(1, 1500), (9, 1500), (10, 1200), (49, 1200), (50, 1000)]
)
def test_checkout_charges_the_tier_the_quantity_reaches(quantity, unit_price):
    """9 units cost the 1–9 price, 10 the 10–49 price, 49 still that, 50 the 50+ price;
    the order line keeps that price and the order total follows from it."""
    offer = make_offer()
    red = variants_of(offer)[0]
    order = buy(UserFactory(), (red, quantity)).orders.get()
    line = order.lines.get()
    assert line.unit_price == unit_price
    assert order.items_total == unit_price * quantity


def test_the_tier_counts_all_variants_of_the_offer_together():
    """5 red and 5 blue are 10 units of the offer: both lines get the 10–49 price."""
    offer = make_offer()
    red, blue = variants_of(offer)
    order = buy(UserFactory(), (red, 5), (blue, 5)).orders.get()
    assert set(order.lines.values_list("unit_price", flat=True)) == {1200}
    assert order.items_total == 10 * 1200


def test_tier_unit_price_at_the_edges():
    offer = make_offer()
    red = variants_of(offer)[0]
    assert [tier_unit_price(sku=red, quantity=n) for n in (9, 10, 49, 50)] == [
        1500,
        1200,
        1200,
        1000,
    ]


def test_products_without_wholesale_terms_keep_their_own_price():
    """A retail product bought in quantity costs its variant's price, as before."""
    sku = make_sku(price=19900, available=100)
    order = buy(UserFactory(), (sku, 50)).orders.get()
    assert order.lines.get().unit_price == 19900


def test_below_the_minimum_order_quantity_is_refused_and_nothing_is_reserved():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200), (50, 1000)])
    red = variants_of(offer)[0]
    with pytest.raises(ValidationFailed) as refused:
        buy(UserFactory(), (red, 9))
    assert refused.value.code == "below_minimum_quantity"
    assert "10" in refused.value.message
    assert refused.value.details["min_quantity"] == 10
    assert not Order.objects.exists()
    red.refresh_from_db()
    assert (red.available, red.reserved) == (500, 0)


def test_the_minimum_is_reached_with_several_variants():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200), (50, 1000)])
    red, blue = variants_of(offer)
    order = buy(UserFactory(), (red, 4), (blue, 6)).orders.get()
    assert order.items_total == 10 * 1200


def test_a_sample_is_bought_at_the_sample_price_up_to_its_limit():
    offer = make_offer(
        min_quantity=10, tiers=[(10, 1200)], sample_price=2000, sample_max_quantity=2
    )
    red = variants_of(offer)[0]
    line = buy(UserFactory(), (red, 2)).orders.get().lines.get()
    assert line.unit_price == 2000

    with pytest.raises(ValidationFailed) as refused:
        buy(UserFactory(), (red, 3))
    assert refused.value.code == "below_minimum_quantity"
    assert "at most 2" in refused.value.message


def test_no_samples_when_the_supplier_sends_none():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200)], sample_price=None)
    with pytest.raises(ValidationFailed) as refused:
        buy(UserFactory(), (variants_of(offer)[0], 1))
    assert refused.value.code == "below_minimum_quantity"
    assert "no samples" in refused.value.message


def test_wholesale_order_paid_from_the_wallet_goes_through_escrow_to_the_supplier():
    """The money path is a retail order's: wallet → escrow → supplier on confirmation."""
    offer = make_offer(min_quantity=10, tiers=[(10, 1200), (50, 1000)])
    supplier = offer.shop
    seller = retail_seller()
    buyer = seller.owner
    fund_wallet(buyer, 100_000)
    checkout = buy(buyer, (variants_of(offer)[0], 50))
    assert checkout.total == 50 * 1000

    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    assert wallet_balance(buyer) == 100_000 - 50_000
    assert escrow_balance() == 50_000
    assert has_sourcing_relationship(shop=seller, supplier=supplier)
    assert list(suppliers_of(shop=seller)) == [supplier]
    assert list(purchase_orders(buyer=buyer)) == [checkout.orders.get()]

    order = checkout.orders.get()
    order_ship(order=order, actor=supplier.owner, carrier="中通", waybill="ZT12345678")
    order_confirm(order=order, actor=buyer)
    order.refresh_from_db()
    assert order.state == OrderState.FINISHED
    assert escrow_balance() == 0
    assert wallet_balance(supplier.owner) == 50_000
    assert_books_balance()


def test_cart_shows_the_tier_price_for_the_carts_quantity():
    offer = make_offer()
    red, blue = variants_of(offer)
    buyer = UserFactory()
    cart_add(user=buyer, sku_public_id=red.public_id, quantity=30)
    cart_add(user=buyer, sku_public_id=blue.public_id, quantity=20)
    [group] = cart_groups(user=buyer)
    assert [line.unit_price for line in group.lines] == [1000, 1000]
    assert group.items_total == 50 * 1000


def test_cart_marks_a_line_below_the_minimum():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200)])
    buyer = UserFactory()
    cart_add(user=buyer, sku_public_id=variants_of(offer)[0].public_id, quantity=3)
    [group] = cart_groups(user=buyer)
    assert "10" in group.lines[0].price_problem


def test_wholesale_cart_put_sets_the_offers_quantities_or_changes_nothing():
    offer = make_offer(min_quantity=10, tiers=[(10, 1200)])
    red, blue = variants_of(offer)
    buyer = UserFactory()
    assert (
        wholesale_cart_put(
            user=buyer, product=offer, quantities={red.public_id: 6, blue.public_id: 4}
        )
        == 10
    )
    with pytest.raises(ValidationFailed):
        wholesale_cart_put(user=buyer, product=offer, quantities={red.public_id: 3})
    assert dict(CartLine.objects.values_list("sku__public_id", "quantity")) == {
        red.public_id: 6,
        blue.public_id: 4,
    }
    wholesale_cart_put(user=buyer, product=offer, quantities={red.public_id: 12})
    assert dict(CartLine.objects.values_list("sku__public_id", "quantity")) == {red.public_id: 12}


# --- the supplier's terms ------------------------------------------------------------------


def set_terms(product, **changes):
    args = {
        "actor": product.shop.owner,
        "product": product,
        "min_quantity": 1,
        "tiers": [(1, 1500), (10, 1200)],
        "sample_price": None,
        "sample_max_quantity": 1,
        "lead_time_days": 2,
        "dropship": True,
    }
    return wholesale_terms_set(**{**args, **changes})


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"tiers": []}, "tiers_required"),
        ({"tiers": [(1, 1500), (1, 1200)]}, "bad_tiers"),  # starts not increasing
        ({"tiers": [(10, 1500), (5, 1200)], "min_quantity": 10}, "bad_tiers"),
        ({"tiers": [(1, 1200), (10, 1500)]}, "bad_tiers"),  # price rises
        ({"tiers": [(1, 0)]}, "bad_tiers"),
        ({"tiers": [(5, 1500)], "min_quantity": 10}, "bad_tiers"),  # first not 1 nor MOQ
        ({"min_quantity": 0}, "bad_min_quantity"),
        ({"sample_price": 0}, "bad_sample_price"),
        (
            {
                "min_quantity": 10,
                "tiers": [(10, 1200)],
                "sample_price": 900,
                "sample_max_quantity": 10,
            },
            "bad_sample_max_quantity",
        ),
        ({"lead_time_days": -1}, "bad_lead_time_days"),
    ],
)
def test_bad_terms_are_refused_and_nothing_changes(changes, code):
    offer = make_offer()
    with pytest.raises(ValidationFailed) as refused:
        set_terms(offer, **changes)
    assert refused.value.code == code
    assert list(
        PriceTier.objects.filter(product=offer).values_list("min_quantity", "unit_price")
    ) == [
        (1, 1500),
        (10, 1200),
        (50, 1000),
    ]


def test_terms_may_start_at_the_moq_and_replace_the_old_tiers():
    offer = make_offer()
    terms = set_terms(
        offer,
        min_quantity=20,
        tiers=[(20, 1100), (100, 900)],
        sample_price=2500,
        sample_max_quantity=3,
        lead_time_days=7,
        dropship=False,
    )
    assert (terms.min_quantity, terms.sample_price, terms.lead_time_days, terms.dropship) == (
        20,
        2500,
        7,
        False,
    )
    assert list(offer.price_tiers.values_list("min_quantity", "unit_price")) == [
        (20, 1100),
        (100, 900),
    ]


def test_only_the_supplier_shops_owner_sets_terms():
    offer = make_offer()
    helper = UserFactory()
    ShopStaff.objects.create(shop=offer.shop, user=helper, role=StaffRole.CUSTOMER_SERVICE)
    with pytest.raises(PermissionDenied):
        set_terms(offer, actor=helper)
    with pytest.raises(NotFound):
        set_terms(offer, actor=UserFactory())


def test_retail_shops_do_not_sell_wholesale():
    sku = make_sku()
    with pytest.raises(Conflict) as refused:
        set_terms(sku.product)
    assert refused.value.code == "not_a_supplier"
    assert not WholesaleTerms.objects.exists()


def test_a_paid_wholesale_order_makes_a_sourcing_relationship():
    offer = make_offer()
    seller = retail_seller()
    assert not has_sourcing_relationship(shop=seller, supplier=offer.shop)
    paid_wholesale_order(offer, buyer=seller.owner)
    assert has_sourcing_relationship(shop=seller, supplier=offer.shop)
    assert OrderLine.objects.get().unit_price == 1200
    assert Sku.objects.get(pk=variants_of(offer)[0].pk).reserved == 10
