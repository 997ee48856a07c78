"""Stock movements caused by orders: reserve, release, ship. Each is one conditional UPDATE.

available + reserved + sold of a SKU changes only when the seller sets the stock. All three
run inside the caller's transaction and touch SKUs in primary-key order, so two checkouts
that want the same SKUs never deadlock.
"""

from collections.abc import Iterable

from django.db.models import F
from django.utils.translation import gettext as _

from evillage.catalog.models import Product, Sku
from evillage.core.errors import Conflict

# (sku primary key, quantity)
StockItem = tuple[int, int]


def _in_key_order(items: Iterable[StockItem]) -> list[StockItem]:
    merged: dict[int, int] = {}
    for sku_id, quantity in items:
        if quantity <= 0:
            raise ValueError("stock quantities are positive")
        merged[sku_id] = merged.get(sku_id, 0) + quantity
    return sorted(merged.items())


def stock_reserve(items: Iterable[StockItem]) -> None:
    """available -> reserved, or Conflict(out_of_stock) naming the first SKU short of it."""
    for sku_id, quantity in _in_key_order(items):
        updated = Sku.objects.filter(pk=sku_id, available__gte=quantity, is_active=True).update(
            available=F("available") - quantity, reserved=F("reserved") + quantity
        )
        if not updated:
            raise out_of_stock(Sku.objects.select_related("product").filter(pk=sku_id).first())


def out_of_stock(sku: Sku | None) -> Conflict:
    """The refusal a buyer sees when a SKU has fewer units than asked for."""
    left = sku.available if sku and sku.is_active else 0
    return Conflict(
        _("Only %(left)d left of “%(item)s”.")
        % {"left": left, "item": f"{sku.product.title} · {sku.label}" if sku else "?"},
        code="out_of_stock",
        details={"sku": sku.public_id if sku else None, "available": left},
    )


def stock_release(items: Iterable[StockItem]) -> None:
    """reserved -> available: an order closed before shipping."""
    for sku_id, quantity in _in_key_order(items):
        updated = Sku.objects.filter(pk=sku_id, reserved__gte=quantity).update(
            reserved=F("reserved") - quantity, available=F("available") + quantity
        )
        if not updated:
            raise RuntimeError(f"SKU {sku_id} lost a reservation")


def stock_ship(items: Iterable[StockItem]) -> None:
    """reserved -> sold, and the product's sales count rises (what listings sort by)."""
    ordered = _in_key_order(items)
    for sku_id, quantity in ordered:
        updated = Sku.objects.filter(pk=sku_id, reserved__gte=quantity).update(
            reserved=F("reserved") - quantity, sold=F("sold") + quantity
        )
        if not updated:
            raise RuntimeError(f"SKU {sku_id} lost a reservation")
    quantities = dict(ordered)
    per_product: dict[int, int] = {}
    for product_id, sku_id in Sku.objects.filter(pk__in=quantities).values_list("product_id", "pk"):
        per_product[product_id] = per_product.get(product_id, 0) + quantities[sku_id]
    for product_id, quantity in sorted(per_product.items()):
        Product.objects.filter(pk=product_id).update(sales_count=F("sales_count") + quantity)
