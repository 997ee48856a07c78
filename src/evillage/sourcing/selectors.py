"""Reads of sourcing: who buys from whom. Other apps (photo rights) ask here whether a
shop may use a supplier's photos."""

from django.db.models import Q, QuerySet

from evillage.orders.models import Order, OrderState
from evillage.shops.models import Shop
from evillage.sourcing.models import DropshipLink

# An order counts as buying from the supplier once it is paid (and as long as it was not
# closed unpaid or cancelled).
BOUGHT_STATES = (
    OrderState.WAIT_SELLER_SEND,
    OrderState.WAIT_BUYER_CONFIRM,
    OrderState.FINISHED,
)


def _wholesale_orders(supplier: Shop) -> QuerySet[Order]:
    return Order.objects.filter(shop=supplier, state__in=BOUGHT_STATES)


def has_sourcing_relationship(*, shop: Shop, supplier: Shop) -> bool:
    """Whether `shop` really sources from `supplier`: its owner bought from the supplier
    (a wholesale order, paid or later), or one of its variants is drop-shipped from one of
    the supplier's."""
    if shop.pk == supplier.pk:
        return True
    if _wholesale_orders(supplier).filter(buyer_id=shop.owner_id).exists():
        return True
    return DropshipLink.objects.filter(
        retail_sku__product__shop=shop, supplier_sku__product__shop=supplier
    ).exists()


def shops_sourcing_from(*, supplier: Shop) -> QuerySet[Shop]:
    """The shops with a sourcing relationship to the supplier."""
    buyers = _wholesale_orders(supplier).values("buyer_id")
    linked = DropshipLink.objects.filter(supplier_sku__product__shop=supplier).values(
        "retail_sku__product__shop_id"
    )
    return Shop.objects.filter(Q(owner_id__in=buyers) | Q(pk__in=linked)).exclude(pk=supplier.pk)
