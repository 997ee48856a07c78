"""The buyer's cart: SKUs and quantities, across shops. Prices are read at checkout."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import ProductStatus, Sku
from evillage.core.errors import Conflict, NotFound, ValidationFailed
from evillage.orders.models import MAX_CART_LINES, MAX_LINE_QUANTITY, Cart, CartLine
from evillage.shops.models import ShopStatus
from evillage.shops.selectors import user_is_shop_staff


def clean_quantity(quantity: int) -> int:
    if type(quantity) is not int or not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise ValidationFailed(
            _("The quantity must be a whole number from 1 to %(max)d.")
            % {"max": MAX_LINE_QUANTITY},
            code="bad_quantity",
            field="quantity",
        )
    return quantity


def buyable_sku(*, public_id: str, buyer: User) -> Sku:
    """The SKU if this buyer may buy it now, else a clear refusal."""
    sku = (
        Sku.objects.select_related("product__shop", "product__category")
        .filter(public_id=public_id)
        .first()
    )
    if sku is None or sku.product.status != ProductStatus.ACTIVE:
        raise NotFound(_("This item is not on sale."), code="sku_not_found", field="sku")
    if not sku.is_active:
        raise Conflict(_("This variant is no longer sold."), code="sku_inactive", field="sku")
    if sku.product.shop.status != ShopStatus.OPEN:
        raise Conflict(_("This shop is not open."), code="shop_closed", field="sku")
    if user_is_shop_staff(user=buyer, shop=sku.product.shop):
        raise Conflict(_("You cannot buy from your own shop."), code="own_shop", field="sku")
    return sku


def cart_of(user: User) -> Cart:
    cart, _created = Cart.objects.get_or_create(owner=user)
    return cart


def cart_add(*, user: User, sku_public_id: str, quantity: int = 1) -> CartLine:
    """Put an item in the cart, or add to the quantity already there."""
    clean_quantity(quantity)
    sku = buyable_sku(public_id=sku_public_id, buyer=user)
    with transaction.atomic():
        cart = cart_of(user)
        line = CartLine.objects.select_for_update().filter(cart=cart, sku=sku).first()
        if line is not None:
            line.quantity = clean_quantity(min(line.quantity + quantity, MAX_LINE_QUANTITY))
            line.save(update_fields=["quantity"])
            return line
        if cart.lines.count() >= MAX_CART_LINES:
            raise Conflict(
                _("The cart holds at most %(max)d items. Check out some first.")
                % {"max": MAX_CART_LINES},
                code="cart_full",
            )
        try:
            with transaction.atomic():
                return CartLine.objects.create(cart=cart, sku=sku, quantity=quantity)
        except IntegrityError:  # the same item added twice at once
            line = CartLine.objects.get(cart=cart, sku=sku)
            line.quantity = min(line.quantity + quantity, MAX_LINE_QUANTITY)
            line.save(update_fields=["quantity"])
            return line


def cart_set_quantity(*, user: User, sku_public_id: str, quantity: int) -> CartLine | None:
    """Change a line's quantity; 0 removes it."""
    if quantity == 0:
        cart_remove(user=user, sku_public_id=sku_public_id)
        return None
    clean_quantity(quantity)
    line = CartLine.objects.filter(cart__owner=user, sku__public_id=sku_public_id).first()
    if line is None:
        raise NotFound(_("This item is not in your cart."), code="not_in_cart", field="sku")
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


def cart_remove(*, user: User, sku_public_id: str) -> None:
    CartLine.objects.filter(cart__owner=user, sku__public_id=sku_public_id).delete()
