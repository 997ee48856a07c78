"""Test helpers for orders: a buyer with money, shops with stock, a shipping address."""

from evillage.catalog.tests.factories import ProductFactory
from evillage.ledger.models import AccountKind
from evillage.ledger.selectors import ledger_audit
from evillage.ledger.services import account_platform, account_wallet, transfer_create
from evillage.orders.services.checkout import CheckoutItem, ShipTo
from evillage.places.tests.factories import village
from evillage.shops.models import ShopKind
from evillage.shops.tests.factories import ShopFactory


def fund_wallet(user, amount: int, currency: str = "CNY"):
    """Money arriving from the payment provider into the user's wallet."""
    clearing = account_platform(kind=AccountKind.CLEARING, currency=currency)
    wallet = account_wallet(user=user, currency=currency)
    transfer_create(debit=clearing, credit=wallet, amount=amount, kind="topup")
    return wallet


def wallet_balance(user, currency: str = "CNY") -> int:
    return account_wallet(user=user, currency=currency).balance


def escrow_balance(currency: str = "CNY") -> int:
    return account_platform(kind=AccountKind.ESCROW, currency=currency).balance


def ship_to(buyer=None) -> ShipTo:
    """A village (the buyer's own if known), a street line and a valid mobile number."""
    place = getattr(buyer, "residence", None) or village()
    return ShipTo(place=place.key, street="东风路 8 号", name="王小明", phone="13800138000")


def make_shop(*, kind: str = ShopKind.INDIVIDUAL, shipping_fee: int = 0):
    return ShopFactory(kind=kind, shipping_fee=shipping_fee)


def make_sku(*, shop=None, price: int = 19900, available: int = 10, commission_bp: int = 0):
    product = ProductFactory(shop=shop or make_shop(), skus=[("标准", price, available)])
    if commission_bp:
        product.category.commission_bp = commission_bp
        product.category.save(update_fields=["commission_bp"])
    return product.skus.get()


def item(sku, quantity: int = 1) -> CheckoutItem:
    return CheckoutItem(sku=sku.public_id, quantity=quantity)


def assert_books_balance() -> None:
    audit = ledger_audit()
    assert audit.ok, audit
