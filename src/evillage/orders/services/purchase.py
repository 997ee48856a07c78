"""Purchase orders placed by the platform for a seller: a drop-shipped sale's order at
the supplier, paid from the seller's share of the buyer's order (no money moves now;
sourcing.dropship pays the supplier when the buyer's order completes)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from evillage.accounts.models import User
from evillage.catalog.models import Sku
from evillage.catalog.services.stock import stock_reserve
from evillage.orders.models import Checkout, Order, OrderEvent, OrderLine, OrderState
from evillage.shops.models import Shop, ShopKind


@dataclass(frozen=True)
class PurchaseLine:
    sku: Sku
    quantity: int
    unit_price: int


def purchase_order_create(
    *, buyer: User, shop: Shop, lines: list[PurchaseLine], ship_like: Order, reason: str
) -> Order:
    """A paid order of `buyer` at `shop` for these lines, shipped to `ship_like`'s address.

    Runs inside the caller's transaction; reserves the stock last (raises Conflict
    out_of_stock, undoing everything, when the supplier is short).
    """
    now = timezone.now()
    items_total = sum(line.unit_price * line.quantity for line in lines)
    currency = lines[0].sku.product.currency
    with transaction.atomic():
        checkout = Checkout.objects.create(
            buyer=buyer, currency=currency, total=items_total, created_at=now
        )
        order = Order.objects.create(
            checkout=checkout,
            buyer=buyer,
            shop=shop,
            shop_kind=shop.kind,
            state=OrderState.WAIT_SELLER_SEND,
            currency=currency,
            items_total=items_total,
            shipping_fee=0,
            total=items_total,
            ship_to_place=ship_like.ship_to_place,
            ship_to_street=ship_like.ship_to_street,
            ship_to_name=ship_like.ship_to_name,
            ship_to_phone=ship_like.ship_to_phone,
            buyer_note=reason[:300],
            created_at=now,
            paid_at=now,
            settled_by_other_order=True,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                sku=line.sku,
                title=line.sku.product.title,
                label=line.sku.label,
                unit_price=line.unit_price,
                quantity=line.quantity,
                commission_bp=(
                    line.sku.product.category.commission_bp
                    if shop.kind == ShopKind.ENTERPRISE
                    else 0
                ),
            )
            for line in lines
        )
        OrderEvent.objects.create(
            order=order, actor=None, at=now, to_state=OrderState.WAIT_SELLER_SEND, reason=reason
        )
        stock_reserve((line.sku.pk, line.quantity) for line in lines)
    return order
