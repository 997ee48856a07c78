"""The buyer's cart: lines by SKU, grouped by shop with today's prices and totals."""

from ninja import Field, Router, Schema, Status
from pydantic import StrictInt

from evillage.accounts.api_auth import USER_AUTH
from evillage.catalog.models import ProductStatus
from evillage.core.api_schemas import ErrorOut
from evillage.orders.api._common import READS, WRITES
from evillage.orders.schemas import MINOR_UNITS, Ref
from evillage.orders.selectors import CartGroup, cart_groups
from evillage.orders.services.cart import cart_add, cart_remove, cart_set_quantity
from evillage.shops.models import ShopStatus

router = Router(tags=["cart"], auth=USER_AUTH)


class CartLineOut(Schema):
    sku: str
    product: str
    title: str
    label: str
    unit_price: int = Field(description="Today's price; " + MINOR_UNITS)
    quantity: int
    amount: int
    available: int = Field(description="Units in stock now.")
    on_sale: bool = Field(description="False: the item, variant or shop is no longer sold.")


class CartShopOut(Schema):
    shop: Ref
    currency: str
    lines: list[CartLineOut]
    items_total: int
    shipping_fee: int
    total: int


class CartTotalOut(Schema):
    currency: str
    items_total: int
    shipping_fee: int
    total: int


class CartOut(Schema):
    shops: list[CartShopOut]
    totals: list[CartTotalOut] = Field(description="One per currency in the cart.")
    count: int = Field(description="Number of lines.")


def cart_out(groups: list[CartGroup]) -> dict:
    shops, totals = [], {}
    for group in groups:
        lines = []
        for line in group.lines:
            sku = line.sku
            product = sku.product
            lines.append(
                {
                    "sku": sku.public_id,
                    "product": product.public_id,
                    "title": product.title,
                    "label": sku.label,
                    "unit_price": line.unit_price,
                    "quantity": line.quantity,
                    "amount": line.unit_price * line.quantity,
                    "available": sku.available,
                    "on_sale": sku.is_active
                    and product.status == ProductStatus.ACTIVE
                    and group.shop.status == ShopStatus.OPEN,
                }
            )
        currency = group.lines[0].sku.product.currency
        shops.append(
            {
                "shop": {"id": group.shop.public_id, "name": group.shop.name},
                "currency": currency,
                "lines": lines,
                "items_total": group.items_total,
                "shipping_fee": group.shipping_fee,
                "total": group.total,
            }
        )
        total = totals.setdefault(
            currency, {"currency": currency, "items_total": 0, "shipping_fee": 0, "total": 0}
        )
        total["items_total"] += group.items_total
        total["shipping_fee"] += group.shipping_fee
        total["total"] += group.total
    return {
        "shops": shops,
        "totals": list(totals.values()),
        "count": sum(len(shop["lines"]) for shop in shops),
    }


class CartLineIn(Schema):
    sku: str = Field(description="A variant's id.")
    quantity: StrictInt = Field(1, description="1 to 999; added to what is in the cart.")


class QuantityIn(Schema):
    quantity: StrictInt = Field(description="0 to 999; 0 removes the line.")


def _cart(request) -> dict:
    return cart_out(cart_groups(user=request.auth))


@router.get("/cart", response={200: CartOut, READS: ErrorOut})
def cart_get(request):
    """The cart by shop, at today's prices: what checking it out would charge."""
    return _cart(request)


@router.post("/cart/lines", response={201: CartOut, WRITES: ErrorOut})
def cart_line_add(request, payload: CartLineIn):
    """Put an item in the cart, or add to the quantity already there (capped at 999)."""
    cart_add(user=request.auth, sku_public_id=payload.sku, quantity=payload.quantity)
    return Status(201, _cart(request))


@router.patch("/cart/lines/{sku}", response={200: CartOut, WRITES: ErrorOut})
def cart_line_set(request, sku: str, payload: QuantityIn):
    """Set a line's quantity; 0 removes the line."""
    cart_set_quantity(user=request.auth, sku_public_id=sku, quantity=payload.quantity)
    return _cart(request)


@router.delete("/cart/lines/{sku}", response={204: None, WRITES: ErrorOut})
def cart_line_remove(request, sku: str):
    """Remove a line; removing one that is not there is not an error."""
    cart_remove(user=request.auth, sku_public_id=sku)
    return Status(204, None)
