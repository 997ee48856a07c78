"""Drop-shipping through both orders and the ledger: a buyer orders from a seller, the
supplier ships to the buyer, the buyer's confirmation pays the seller and the seller pays
the supplier; cancellations and shortfalls."""

import pytest

from evillage.accounts.tests.factories import UserFactory
from evillage.catalog.models import Sku
from evillage.catalog.tests.factories import ProductFactory
from evillage.core.errors import Conflict, PermissionDenied, ValidationFailed
from evillage.ledger.models import Transfer, TransferKind
from evillage.orders.models import Order, OrderState
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.lifecycle import order_confirm, order_ship
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.services.refunds import refund_agree, refund_request
from evillage.orders.tests.factories import (
    assert_books_balance,
    fund_wallet,
    item,
    make_shop,
    make_sku,
    ship_to,
    wallet_balance,
)
from evillage.shops.models import ShopKind
from evillage.sourcing.dropship import dropship_link_create, dropship_sweep
from evillage.sourcing.models import DropshipOrder, PriceTier, WholesaleTerms

pytestmark = pytest.mark.django_db

RETAIL_PRICE = 9900
WHOLESALE_1, WHOLESALE_10 = 6000, 5000


def _supplier_sku(*, price: int = WHOLESALE_1, stock: int = 100, dropship: bool = True) -> Sku:
    supplier = make_shop(kind=ShopKind.SUPPLIER)
    product = ProductFactory(shop=supplier, skus=[("标准", price, stock)])
    WholesaleTerms.objects.create(product=product, min_quantity=10, dropship=dropship)
    PriceTier.objects.create(product=product, min_quantity=1, unit_price=price)
    PriceTier.objects.create(product=product, min_quantity=10, unit_price=WHOLESALE_10)
    return product.skus.get()


def _linked(supplier_sku=None, *, retail_price: int = RETAIL_PRICE):
    """A retail variant linked to a supplier's (the retail seller set the link up)."""
    supplier_sku = supplier_sku or _supplier_sku()
    retail_sku = make_sku(price=retail_price, available=20)
    dropship_link_create(
        user=retail_sku.product.shop.owner, retail_sku=retail_sku, supplier_sku=supplier_sku
    )
    return retail_sku, supplier_sku


def _bought(retail_sku, quantity: int = 1, *, capture) -> Order:
    buyer = UserFactory()
    fund_wallet(buyer, 1_000_000)
    checkout = checkout_create(
        buyer=buyer, items=[item(retail_sku, quantity)], ship_to=ship_to(buyer)
    )
    with capture(execute=True):
        checkout_pay_wallet(checkout=checkout, buyer=buyer)
    return checkout.orders.get()


def test_paid_order_places_a_purchase_order_shipped_to_the_buyer(
    django_capture_on_commit_callbacks,
):
    retail_sku, supplier_sku = _linked()
    retail = _bought(retail_sku, capture=django_capture_on_commit_callbacks)
    pair = DropshipOrder.objects.get(retail_order=retail)
    purchase = pair.purchase_order
    assert purchase.shop == supplier_sku.product.shop
    assert purchase.buyer == retail.shop.owner
    assert purchase.state == OrderState.WAIT_SELLER_SEND
    assert purchase.total == WHOLESALE_1  # one unit: the first tier, no minimum
    assert (purchase.ship_to_name, purchase.ship_to_place) == (
        retail.ship_to_name,
        retail.ship_to_place,
    )
    supplier_sku.refresh_from_db()
    assert (supplier_sku.available, supplier_sku.reserved) == (99, 1)
    assert any("the supplier will ship" in e.reason for e in retail.events.all())


def test_supplier_ships_buyer_confirms_and_the_ledger_shows_the_margin(
    django_capture_on_commit_callbacks,
):
    retail_sku, supplier_sku = _linked()
    retail = _bought(retail_sku, capture=django_capture_on_commit_callbacks)
    seller = retail.shop.owner
    supplier_owner = supplier_sku.product.shop.owner
    purchase = DropshipOrder.objects.get(retail_order=retail).purchase_order

    with pytest.raises(Conflict) as error:
        order_ship(order=retail, actor=seller, carrier="中通快递", waybill="ZT1234567")
    assert error.value.code == "shipped_by_supplier"

    order_ship(order=purchase, actor=supplier_owner, carrier="中通快递", waybill="ZT7654321")
    retail.refresh_from_db()
    purchase.refresh_from_db()
    assert retail.state == OrderState.WAIT_BUYER_CONFIRM
    assert (retail.carrier, retail.waybill) == ("中通快递", "ZT7654321")
    assert retail.auto_confirm_at is not None and purchase.auto_confirm_at is None

    order_confirm(order=retail, actor=retail.buyer)
    retail.refresh_from_db()
    purchase.refresh_from_db()
    assert retail.state == purchase.state == OrderState.FINISHED
    assert wallet_balance(seller) == RETAIL_PRICE - WHOLESALE_1  # the margin
    assert wallet_balance(supplier_owner) == WHOLESALE_1
    kinds = list(Transfer.objects.filter(debit__owner=seller).values_list("kind", "amount"))
    assert kinds == [(TransferKind.DROPSHIP_PURCHASE, WHOLESALE_1)]
    assert DropshipOrder.objects.get(retail_order=retail).paid_at is not None
    assert_books_balance()


def test_refund_before_shipment_closes_the_purchase_order(django_capture_on_commit_callbacks):
    retail_sku, supplier_sku = _linked()
    retail = _bought(retail_sku, capture=django_capture_on_commit_callbacks)
    refund_request(order=retail, actor=retail.buyer, reason="不要了")
    purchase = DropshipOrder.objects.get(retail_order=retail).purchase_order
    purchase.refresh_from_db()
    assert purchase.state == OrderState.CLOSED
    supplier_sku.refresh_from_db()
    assert (supplier_sku.available, supplier_sku.reserved) == (100, 0)
    assert_books_balance()


def test_a_short_wallet_after_a_refund_waits_and_the_sweep_pays_later(
    django_capture_on_commit_callbacks,
):
    retail_sku, supplier_sku = _linked()
    retail = _bought(retail_sku, capture=django_capture_on_commit_callbacks)
    seller = retail.shop.owner
    purchase = DropshipOrder.objects.get(retail_order=retail).purchase_order
    order_ship(
        order=purchase, actor=supplier_sku.product.shop.owner, carrier="EMS", waybill="EMS12345"
    )
    retail.refresh_from_db()
    refund = refund_request(order=retail, actor=retail.buyer, reason="有瑕疵", amount=5000)
    refund_agree(refund=refund, actor=seller)
    order_confirm(order=Order.objects.get(pk=retail.pk), actor=retail.buyer)
    # The seller received 4,900 < 6,000: the buyer's confirmation went through, the
    # supplier waits.
    assert wallet_balance(seller) == RETAIL_PRICE - 5000
    purchase.refresh_from_db()
    assert purchase.state == OrderState.WAIT_BUYER_CONFIRM
    assert dropship_sweep() == {"dropship_placed": 0, "dropship_paid": 0}
    fund_wallet(seller, 2000)
    assert dropship_sweep()["dropship_paid"] == 1
    purchase.refresh_from_db()
    assert purchase.state == OrderState.FINISHED
    assert wallet_balance(seller) == RETAIL_PRICE - 5000 + 2000 - WHOLESALE_1
    assert_books_balance()


def test_no_purchase_order_when_the_supplier_costs_more_than_the_sale(
    django_capture_on_commit_callbacks,
):
    retail_sku, _supplier = _linked(_supplier_sku(price=12000))
    retail = _bought(retail_sku, capture=django_capture_on_commit_callbacks)
    assert not DropshipOrder.objects.exists()
    assert any("the seller ships this order" in e.reason for e in retail.events.all())
    # The seller ships it as any other order.
    order_ship(order=retail, actor=retail.shop.owner, carrier="EMS", waybill="EMS12345")


def test_orders_with_unlinked_lines_are_not_drop_shipped(django_capture_on_commit_callbacks):
    retail_sku, _supplier = _linked()
    own = make_sku(shop=retail_sku.product.shop, price=500)
    buyer = UserFactory()
    fund_wallet(buyer, 100_000)
    checkout = checkout_create(
        buyer=buyer, items=[item(retail_sku), item(own)], ship_to=ship_to(buyer)
    )
    with django_capture_on_commit_callbacks(execute=True):
        checkout_pay_wallet(checkout=checkout, buyer=buyer)
    assert not DropshipOrder.objects.exists()


def test_the_sweep_places_what_a_crash_left_unplaced():
    """Paid without running the after-commit hook (as if the process died): the sweep
    places the purchase order once."""
    from datetime import timedelta

    from django.utils import timezone

    retail_sku, _supplier = _linked()
    buyer = UserFactory()
    fund_wallet(buyer, 100_000)
    checkout = checkout_create(buyer=buyer, items=[item(retail_sku)], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)  # on_commit never runs here
    assert not DropshipOrder.objects.exists()
    later = timezone.now() + timedelta(minutes=5)
    assert dropship_sweep(now=later)["dropship_placed"] == 1
    assert dropship_sweep(now=later)["dropship_placed"] == 0
    assert DropshipOrder.objects.count() == 1


def test_link_rules():
    supplier_sku = _supplier_sku()
    retail_sku = make_sku()
    with pytest.raises(PermissionDenied):
        dropship_link_create(user=UserFactory(), retail_sku=retail_sku, supplier_sku=supplier_sku)
    with pytest.raises(ValidationFailed) as error:
        dropship_link_create(
            user=retail_sku.product.shop.owner, retail_sku=retail_sku, supplier_sku=make_sku()
        )
    assert error.value.code == "not_a_supplier"
    with pytest.raises(ValidationFailed) as error:
        dropship_link_create(
            user=retail_sku.product.shop.owner,
            retail_sku=retail_sku,
            supplier_sku=_supplier_sku(dropship=False),
        )
    assert error.value.code == "no_dropship"


def test_order_pages_say_who_ships(client, django_capture_on_commit_callbacks):
    """The seller sees that the supplier ships; the supplier sees where to; the buyer sees
    only their order."""
    from django.urls import reverse

    retail_sku, supplier_sku = _linked()
    retail = _bought(retail_sku, capture=django_capture_on_commit_callbacks)
    purchase = DropshipOrder.objects.get(retail_order=retail).purchase_order
    client.force_login(retail.shop.owner)
    page = client.get(reverse("orders:detail", args=[retail.public_id])).content.decode()
    assert f"purchase order {purchase.public_id}" in page
    client.force_login(supplier_sku.product.shop.owner)
    page = client.get(reverse("orders:detail", args=[purchase.public_id])).content.decode()
    assert f"Drop-ship purchase order for order {retail.public_id}" in page
    assert retail.ship_to_name in page
    client.force_login(retail.buyer)
    page = client.get(reverse("orders:detail", args=[retail.public_id])).content.decode()
    assert "Drop-ship" not in page and supplier_sku.product.shop.name not in page


def test_the_reseller_cannot_confirm_or_refund_the_purchase_order(
    django_capture_on_commit_callbacks,
):
    """Its money is the buyer's order's: it completes with that order, never on its own."""
    from evillage.orders.selectors import order_actions

    retail_sku, supplier_sku = _linked()
    retail = _bought(retail_sku, capture=django_capture_on_commit_callbacks)
    purchase = DropshipOrder.objects.get(retail_order=retail).purchase_order
    seller = retail.shop.owner
    with pytest.raises(Conflict) as error:
        refund_request(order=purchase, actor=seller, reason="不要了")
    assert error.value.code == "settled_with_retail_order"
    order_ship(
        order=purchase, actor=supplier_sku.product.shop.owner, carrier="EMS", waybill="EMS12345"
    )
    purchase.refresh_from_db()
    with pytest.raises(Conflict):
        order_confirm(order=purchase, actor=seller)
    actions = order_actions(order=purchase, user=seller)
    assert not (actions.confirm or actions.extend or actions.request_refund)
    assert purchase.state == OrderState.WAIT_BUYER_CONFIRM
    assert_books_balance()
