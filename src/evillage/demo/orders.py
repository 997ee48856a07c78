"""Demo purchases: the demo buyer's orders in every state, through the real services.

Money enters the books the way it does in production: a sandbox top-up settled as its
webhook would settle it, then wallet payments into escrow, releases to sellers on
confirmation, one refund and one open dispute for the operator's desk.
"""

from evillage.accounts.models import User
from evillage.catalog.models import ProductStatus, Sku
from evillage.orders.models import Order, RefundKind
from evillage.orders.services import lifecycle, refunds
from evillage.orders.services.checkout import CheckoutItem, ShipTo, checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.payments.services import payment_succeed, topup_start
from evillage.shops.models import Shop
from evillage.shops.services import shop_update

# Left in the buyer's wallet after the demo purchases.
SPARE = {"CNY": 50_000, "IDR": 500_000_00}
# What happens to each demo checkout after it is placed, in order.
STORIES = ("finished", "finished", "shipped", "paid", "unpaid", "refunded", "disputed")


def seed_orders(*, buyer: User, shops: list[Shop], ship_to: ShipTo) -> int:
    """Place the demo buyer's orders once; returns how many orders were created."""
    if Order.objects.filter(buyer=buyer).exists() or not shops:
        return 0
    currency = shops[0].currency
    for index, shop in enumerate(shops):
        if index % 2 == 0 and not shop.shipping_fee:
            shop_update(shop=shop, actor=shop.owner, shipping_fee=800 if currency == "CNY" else 0)
    baskets = [
        [shops[(2 * index) % len(shops)], shops[(2 * index + 1) % len(shops)]]
        for index in range(len(STORIES))
    ]
    skus = [[_sku_of(shop) for shop in basket] for basket in baskets]
    # Enough for every paid story plus some change left in the wallet.
    needed = sum(
        sku.price + sku.product.shop.shipping_fee
        for story, chosen in zip(STORIES, skus, strict=True)
        if story != "unpaid"
        for sku in chosen
    )
    payment = topup_start(payer=buyer, amount=needed + SPARE[currency], currency=currency)
    payment_succeed(payment_id=payment.pk, provider_ref="demo", reason="demo top-up")
    created = 0
    for story, chosen in zip(STORIES, skus, strict=True):
        # Two shops per checkout (one order each), as a cart across shops would give.
        items = [CheckoutItem(sku=sku.public_id, quantity=1) for sku in chosen]
        checkout = checkout_create(buyer=buyer, items=items, ship_to=ship_to)
        created += checkout.orders.count()
        if story == "unpaid":
            continue
        checkout_pay_wallet(checkout=checkout, buyer=buyer)
        for order in checkout.orders.select_related("shop__owner"):
            _play(order, story, buyer)
    return created


def _sku_of(shop: Shop) -> Sku:
    return (
        Sku.objects.select_related("product__shop")
        .filter(
            product__shop=shop,
            product__status=ProductStatus.ACTIVE,
            is_active=True,
            available__gt=5,
        )
        .order_by("product__created_at", "position")
        .first()
    )


def _play(order: Order, story: str, buyer: User) -> None:
    seller = order.shop.owner
    if story == "paid":
        return
    if story == "refunded":
        refunds.refund_request(order=order, actor=buyer, reason="买多了 / ordered twice")
        return
    lifecycle.order_ship(
        order=order, actor=seller, carrier="中通快递 ZTO", waybill=f"ZT{order.pk:010d}"
    )
    if story == "finished":
        lifecycle.order_confirm(order=order, actor=buyer)
    elif story == "disputed":
        refund = refunds.refund_request(
            order=order,
            actor=buyer,
            kind=RefundKind.REFUND_ONLY,
            amount=order.total // 2,
            reason="桌腿有裂纹 / a table leg arrived cracked",
        )
        refunds.refund_refuse(
            refund=refund,
            actor=seller,
            answer="发货前检查过，没有裂纹 / checked before shipping, no crack",
        )
