"""The cart: add from a product page, change quantities, remove; grouped by shop."""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evillage.accounts.models import User
from evillage.catalog.models import ProductStatus
from evillage.core.errors import DomainError
from evillage.orders.forms import AddToCartForm, CartQuantityForm
from evillage.orders.models import CartLine
from evillage.orders.selectors import CartGroup, cart_groups
from evillage.orders.services.cart import cart_add, cart_remove, cart_set_quantity
from evillage.orders.views._common import redirect_back
from evillage.shops.models import ShopStatus
from evillage.shops.selectors import shops_of_user
from evillage.sourcing.selectors import price_cart_lines


@dataclass
class CartRow:
    line: CartLine
    amount: int
    problem: str  # why it cannot be bought now; "" if it can


@dataclass
class CartSection:
    group: CartGroup
    rows: list[CartRow]

    @property
    def ok(self) -> bool:
        return not any(row.problem for row in self.rows)


def line_problem(line: CartLine, own_shop_ids: set[int]) -> str:
    """What checkout would refuse about this line, said before the buyer tries."""
    sku = line.sku
    product = sku.product
    if product.status != ProductStatus.ACTIVE:
        return _("No longer on sale.")
    if not sku.is_active:
        return _("This variant is no longer sold.")
    if product.shop.status != ShopStatus.OPEN:
        return _("This shop is not open.")
    if product.shop_id in own_shop_ids:
        return _("You cannot buy from your own shop.")
    if getattr(line, "price_problem", ""):  # below a wholesale offer's minimum quantity
        return line.price_problem
    if sku.available <= 0:
        return _("Sold out.")
    if sku.available < line.quantity:
        return _("Only %(left)d left.") % {"left": sku.available}
    return ""


def cart_sections(user: User, *, only: str = "") -> list[CartSection]:
    """The cart by shop with each line's problem; `only` keeps one SKU (Buy now)."""
    own = set(shops_of_user(user=user).values_list("pk", flat=True))
    sections = []
    for group in cart_groups(user=user):
        if only:
            lines = [line for line in group.lines if line.sku.public_id == only]
            if not lines:
                continue
            price_cart_lines(lines)  # the offer's quantity is now this line's alone
            items_total = sum(line.unit_price * line.quantity for line in lines)
            group = CartGroup(group.shop, lines, items_total, group.shipping_fee)
        rows = [
            CartRow(line, line.unit_price * line.quantity, line_problem(line, own))
            for line in group.lines
        ]
        sections.append(CartSection(group, rows))
    return sections


def grand_totals(sections: list[CartSection]) -> list[tuple[str, int]]:
    """Per currency (a cart may mix shops of both countries), largest first."""
    totals: dict[str, int] = defaultdict(int)
    for section in sections:
        totals[section.group.shop.currency] += section.group.total
    return sorted(totals.items(), key=lambda item: -item[1])


def _render_cart(request, *, errors: dict[str, str] | None = None):
    sections = cart_sections(request.user)
    return render(
        request,
        "orders/cart.html",
        {
            "sections": sections,
            "totals": grand_totals(sections),
            "errors": errors or {},
            "all_ok": all(section.ok for section in sections),
        },
    )


@login_required
def cart(request):
    return _render_cart(request)


@login_required
@require_POST
def cart_add_view(request):
    """From a product page: add, then back there; "Buy now" goes on to checkout."""
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect_back(request, reverse("orders:cart"))
    sku = form.cleaned_data["sku"]
    try:
        cart_add(user=request.user, sku_public_id=sku, quantity=form.cleaned_data["quantity"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect_back(request, reverse("orders:cart"))
    if "buy_now" in request.POST:
        return redirect(f"{reverse('orders:checkout')}?{urlencode({'only': sku})}")
    messages.success(request, _("Added to your cart."))
    return redirect_back(request, reverse("orders:cart"))


@login_required
@require_POST
def cart_update(request):
    form = CartQuantityForm(request.POST)
    if not form.is_valid():
        sku = request.POST.get("sku", "")
        return _render_cart(request, errors={sku: " ".join(form.errors.get("quantity", []))})
    sku = form.cleaned_data["sku"]
    try:
        cart_set_quantity(
            user=request.user, sku_public_id=sku, quantity=form.cleaned_data["quantity"]
        )
    except DomainError as exc:
        return _render_cart(request, errors={sku: exc.message})
    return redirect(reverse("orders:cart"))


@login_required
@require_POST
def cart_remove_view(request):
    cart_remove(user=request.user, sku_public_id=request.POST.get("sku", ""))
    messages.success(request, _("Removed from your cart."))
    return redirect(reverse("orders:cart"))
