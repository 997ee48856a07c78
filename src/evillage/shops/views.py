"""Seller centre pages for shops: dashboard, opening a shop, settings, staff.

Only the shop's staff see its pages (everyone else gets 404); changes are the
owner's (customer service gets 403). Product pages are in catalog.seller_views.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evillage.accounts.selectors import user_is_verified
from evillage.catalog.models import ProductStatus
from evillage.catalog.selectors import shop_products
from evillage.core.errors import DomainError
from evillage.core.forms import add_domain_error
from evillage.core.money import minor_digits, to_minor
from evillage.shops import services
from evillage.shops.forms import ShopOpenForm, ShopSettingsForm, StaffAddForm
from evillage.shops.models import Shop
from evillage.shops.selectors import (
    shop_for_staff,
    shop_member,
    shop_staff_list,
    shops_of_user,
    user_can_manage_shop,
)

PRODUCTS_PER_PAGE = 30


def staff_shop(request, shop_id: str) -> Shop:
    shop = shop_for_staff(user=request.user, public_id=shop_id)
    if shop is None:
        raise Http404(_("Shop not found."))
    return shop


def owner_shop(request, shop_id: str) -> Shop:
    shop = staff_shop(request, shop_id)
    if not user_can_manage_shop(user=request.user, shop=shop):
        raise HttpForbidden(_("Only the shop owner can do this."))
    return shop


@login_required
def dashboard(request):
    shops = list(shops_of_user(user=request.user))
    return render(
        request,
        "shops/dashboard.html",
        {
            "shops": shops,
            "is_verified": user_is_verified(user=request.user),
            "owned_ids": {shop.pk for shop in shops if shop.owner_id == request.user.pk},
        },
    )


@login_required
def shop_open(request):
    if not user_is_verified(user=request.user):
        messages.error(request, _("Verify your identity before opening a shop."))
        return redirect("shops:dashboard")
    residence = request.user.residence
    form = ShopOpenForm(
        request.POST or None,
        request.FILES or None,
        initial={"village": residence.key if residence else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shop = services.shop_open(
                owner=request.user,
                name=data["name"],
                kind=data["kind"],
                village=data["village"],
                description=data["description"],
                logo=data["logo"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your shop is open. Add your first product."))
            return redirect("shops:shop", shop_id=shop.public_id)
    return render(request, "shops/shop_open.html", {"form": form, "residence": residence})


@login_required
def shop_home(request, shop_id: str):
    shop = staff_shop(request, shop_id)
    status = request.GET.get("status")
    if status not in ProductStatus.values:
        status = None
    # A page past the end shows the last one; anything not a number, the first.
    page = Paginator(shop_products(shop=shop, status=status), PRODUCTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "shops/shop_products.html",
        {
            "shop": shop,
            "page_obj": page,
            "status": status,
            "can_manage": user_can_manage_shop(user=request.user, shop=shop),
            "tab": "products",
        },
    )


def _major_text(amount: int, currency: str) -> str:
    """Minor units as a person types them: 800 fen -> "8", 850 -> "8.5"."""
    value = Decimal(amount).scaleb(-minor_digits(currency))
    return f"{value.normalize():f}"


def _fee_minor(text: str, currency: str) -> int | None:
    """A typed shipping fee in minor units; "0" means free (to_minor refuses zero), and
    an empty box leaves the fee as it is."""
    if not text.strip():
        return None
    try:
        if Decimal(text.strip()) == 0:
            return 0
    except (InvalidOperation, ValueError):
        pass  # to_minor says what is wrong with it
    return to_minor(text, currency, field="shipping_fee")


@login_required
def shop_settings(request, shop_id: str):
    shop = owner_shop(request, shop_id)
    form = ShopSettingsForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "name": shop.name,
            "description": shop.description,
            "shipping_fee": _major_text(shop.shipping_fee, shop.currency),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.shop_update(
                shop=shop,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                logo=data["logo"],
                remove_logo=data["remove_logo"],
                shipping_fee=_fee_minor(data["shipping_fee"], shop.currency),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            shop.refresh_from_db()
        else:
            messages.success(request, _("Shop settings saved."))
            return redirect("shops:settings", shop_id=shop.public_id)
    return render(
        request, "shops/shop_settings.html", {"shop": shop, "form": form, "tab": "settings"}
    )


@login_required
@require_POST
def shop_status(request, shop_id: str):
    shop = owner_shop(request, shop_id)
    action = request.POST.get("action")
    change = {"close": services.shop_close, "reopen": services.shop_reopen}.get(action)
    if change is None:
        raise Http404
    try:
        change(shop=shop, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The shop is closed.") if action == "close" else _("The shop is open.")
        )
    return redirect("shops:settings", shop_id=shop.public_id)


@login_required
def staff(request, shop_id: str):
    shop = owner_shop(request, shop_id)
    form = StaffAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_add(
                shop=shop,
                actor=request.user,
                login=form.cleaned_data["login"],
                role=form.cleaned_data["role"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Staff member added."))
            return redirect("shops:staff", shop_id=shop.public_id)
    return render(
        request,
        "shops/shop_staff.html",
        {"shop": shop, "form": form, "members": shop_staff_list(shop=shop), "tab": "staff"},
    )


@login_required
@require_POST
def staff_remove(request, shop_id: str, user_id: str):
    shop = owner_shop(request, shop_id)
    member = shop_member(shop=shop, user_public_id=user_id)
    if member is None:
        raise Http404
    try:
        services.staff_remove(shop=shop, actor=request.user, user=member.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Staff member removed."))
    return redirect("shops:staff", shop_id=shop.public_id)
