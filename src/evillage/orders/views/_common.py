"""Pieces the order pages share: finding an order the user may see, amounts, redirects."""

from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from evillage.core.money import to_minor
from evillage.orders.models import Order, OrderState, RefundState
from evillage.orders.selectors import order_for

PAGE_SIZE = 20


def order_or_404(request: HttpRequest, public_id: str) -> Order:
    """The order if the user is its buyer, its shop's staff or an operator; else 404."""
    order = order_for(user=request.user, public_id=public_id)
    if order is None:
        raise Http404(_("Order not found."))
    return order


def parse_amount(
    text: str, currency: str, *, field: str = "amount", allow_zero: bool = False
) -> int | None:
    """Major units typed by a person -> minor units; None when left empty.

    to_minor refuses zero (no price is free); an operator's "0" (refuse) is allowed here.
    """
    text = (text or "").strip()
    if not text:
        return None
    if allow_zero:
        try:
            if Decimal(text) == 0:
                return 0
        except (InvalidOperation, ValueError):
            pass  # to_minor explains what is wrong with it
    return to_minor(text, currency, field=field)


def redirect_back(request: HttpRequest, fallback: str):
    """To the `next` path sent with the form if it is on this site, else `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def state_label(code: str, *, refund: bool = False) -> str:
    """An event's state code in words (events mix order and refund states)."""
    if not code:
        return ""
    choices = RefundState if refund else OrderState
    try:
        return str(choices(code).label)
    except ValueError:
        return code
