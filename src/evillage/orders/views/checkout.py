"""Checkout (address, one order per shop) and paying it (wallet or the provider's page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evillage.core.errors import DomainError, NotFound
from evillage.core.forms import add_domain_error
from evillage.core.money import format_money
from evillage.ledger.services import account_wallet
from evillage.orders.forms import CheckoutForm, PayForm, new_form_token
from evillage.orders.models import Order, OrderState
from evillage.orders.services.checkout import CheckoutItem, ShipTo, checkout_create
from evillage.orders.services.payment import (
    checkout_amount_due,
    checkout_get,
    checkout_pay_provider,
    checkout_pay_wallet,
)
from evillage.orders.views.cart import cart_sections, grand_totals
from evillage.payments.services import payment_pay_url


def _initial_address(user) -> dict:
    """The address of the buyer's last order, else their village, name and phone."""
    last = (
        Order.objects.filter(buyer=user)
        .select_related("ship_to_place")
        .order_by("-created_at", "-id")
        .first()
    )
    if last is not None:
        return {
            "place": last.ship_to_place.key,
            "street": last.ship_to_street,
            "name": last.ship_to_name,
            "phone": last.ship_to_phone,
        }
    residence = user.residence
    return {
        "place": residence.key if residence else None,
        "name": user.display_name,
        "phone": user.phone or "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    only = (request.POST.get("only") or request.GET.get("only") or "").strip()
    sections = cart_sections(request.user, only=only)
    if only and not sections:  # the item left the cart meanwhile: check out the rest
        only, sections = "", cart_sections(request.user)
    if not sections:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    form = CheckoutForm(
        request.POST or None,
        shops=[section.group.shop for section in sections],
        initial={**_initial_address(request.user), "token": new_form_token(), "only": only},
    )
    for section in sections:
        section.note = form[f"note_{section.group.shop.public_id}"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = [
            CheckoutItem(sku=row.line.sku.public_id, quantity=row.line.quantity)
            for section in sections
            for row in section.rows
        ]
        try:
            created = checkout_create(
                buyer=request.user,
                items=items,
                ship_to=ShipTo(
                    place=data["place"].key,
                    street=data["street"],
                    name=data["name"],
                    phone=data["phone"],
                ),
                notes=form.notes(),
                idempotency_key=f"web:checkout:{data['token']}",
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("orders:pay", public_id=created.public_id)
    return render(
        request,
        "orders/checkout.html",
        {
            "form": form,
            "sections": sections,
            "totals": grand_totals(sections),
            "all_ok": all(section.ok for section in sections),
            "only": only,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, public_id: str):
    try:
        bought = checkout_get(public_id=public_id, buyer=request.user)
    except NotFound:
        raise Http404(_("Checkout not found.")) from None
    form = PayForm(request.POST or None, initial={"token": new_form_token()})
    short_of_money = False
    if request.method == "POST" and form.is_valid():
        method, token = form.cleaned_data["method"], form.cleaned_data["token"]
        # Distinct keys per method: a key that made a provider payment must not be
        # answered with it when the buyer then pays from the wallet.
        key = f"web:pay-{method}:{token}"
        try:
            if method == "wallet":
                payment = checkout_pay_wallet(
                    checkout=bought, buyer=request.user, idempotency_key=key
                )
            else:
                payment = checkout_pay_provider(
                    checkout=bought, buyer=request.user, idempotency_key=key
                )
        except DomainError as exc:
            add_domain_error(form, exc)
            short_of_money = exc.code == "insufficient_funds"
        else:
            if method == "provider":
                return redirect(
                    payment_pay_url(payment=payment, return_url=reverse("orders:buyer_orders"))
                )
            messages.success(
                request,
                _("Paid %(amount)s from your wallet. The seller can now ship.")
                % {
                    "amount": format_money(payment.amount, payment.currency, get_language() or "en")
                },
            )
            return redirect(f"{reverse('orders:buyer_orders')}?tab=to_ship")
    orders = list(bought.orders.select_related("shop").prefetch_related("lines"))
    return render(
        request,
        "orders/pay.html",
        {
            "checkout": bought,
            "orders": orders,
            "due": checkout_amount_due(bought),
            "balance": account_wallet(user=request.user, currency=bought.currency).balance,
            "form": form,
            "short_of_money": short_of_money,
            "unpaid": [o for o in orders if o.state == OrderState.WAIT_BUYER_PAY],
        },
    )
