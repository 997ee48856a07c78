"""Checkouts: one order per shop from the cart (or the given items), and paying them."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from ninja import Router, Status

from evillage.accounts.api_auth import USER_AUTH
from evillage.core.api_schemas import ErrorOut
from evillage.core.errors import ValidationFailed
from evillage.core.idempotency import idempotent
from evillage.orders.api._common import READS, WRITES, stamp, with_details
from evillage.orders.models import CartLine, Checkout
from evillage.orders.schemas import CheckoutIn, CheckoutOut, PayIn, PaymentOut
from evillage.orders.services.checkout import CheckoutItem, ShipTo, checkout_create
from evillage.orders.services.payment import (
    checkout_amount_due,
    checkout_get,
    checkout_pay_provider,
    checkout_pay_wallet,
)
from evillage.payments.models import Payment, PaymentMethod, PaymentState
from evillage.payments.services import payment_pay_url

router = Router(tags=["checkout"], auth=USER_AUTH)


def _checkout_out(checkout: Checkout) -> dict:
    return {
        "id": checkout.public_id,
        "currency": checkout.currency,
        "total": checkout.total,
        "amount_due": checkout_amount_due(checkout),
        "created_at": checkout.created_at,
        "orders": list(with_details(checkout.orders.all()).order_by("id")),
    }


def _cart_items(request: HttpRequest) -> list[CheckoutItem]:
    lines = CartLine.objects.filter(cart__owner=request.auth).select_related("sku")
    return [CheckoutItem(sku=line.sku.public_id, quantity=line.quantity) for line in lines]


@router.post("/checkouts", response={201: CheckoutOut, WRITES: ErrorOut})
@idempotent
def checkout_start(request, payload: CheckoutIn):
    """Order the items (default: the whole cart): one order per shop, stock reserved,
    prices from the server. Items bought leave the cart. Pay within the deadline."""
    if payload.items is None:
        items = _cart_items(request)
    else:
        items = [CheckoutItem(sku=item.sku, quantity=item.quantity) for item in payload.items]
    ship_to = payload.ship_to
    checkout = checkout_create(
        buyer=request.auth,
        items=items,
        ship_to=ShipTo(
            place=ship_to.place, street=ship_to.street, name=ship_to.name, phone=ship_to.phone
        ),
        notes=payload.notes,
        idempotency_key=stamp(request),
    )
    return Status(201, _checkout_out(checkout))


@router.get("/checkouts/{checkout_id}", response={200: CheckoutOut, READS: ErrorOut})
def checkout_detail(request, checkout_id: str):
    """One of your checkouts with its orders (404 for anyone else's)."""
    return _checkout_out(checkout_get(public_id=checkout_id, buyer=request.auth))


def _payment_out(request: HttpRequest, payment: Payment, return_url: str) -> dict:
    pay_url = None
    if payment.method == PaymentMethod.PROVIDER and payment.state == PaymentState.PENDING:
        pay_url = request.build_absolute_uri(
            payment_pay_url(payment=payment, return_url=return_url)
        )
    return {
        "id": payment.public_id,
        "method": payment.method,
        "provider": payment.provider,
        "state": payment.state,
        "amount": payment.amount,
        "currency": payment.currency,
        "pay_url": pay_url,
    }


@router.post("/checkouts/{checkout_id}/pay", response={201: PaymentOut, WRITES: ErrorOut})
@idempotent
def checkout_pay(request, checkout_id: str, payload: PayIn):
    """Pay the checkout's unpaid orders: `wallet` pays at once; `provider` answers a
    pending payment whose `pay_url` the buyer opens; the orders are paid when the
    provider reports success."""
    checkout = checkout_get(public_id=checkout_id, buyer=request.auth)
    if payload.method == PaymentMethod.WALLET:
        payment = checkout_pay_wallet(
            checkout=checkout, buyer=request.auth, idempotency_key=stamp(request)
        )
    elif payload.method == PaymentMethod.PROVIDER:
        if payload.return_url and not (
            payload.return_url.startswith("/")
            and url_has_allowed_host_and_scheme(payload.return_url, None)
        ):
            raise ValidationFailed(
                _("The return URL must be a path on this site."),
                code="bad_return_url",
                field="return_url",
            )
        payment = checkout_pay_provider(
            checkout=checkout,
            buyer=request.auth,
            provider=payload.provider,
            idempotency_key=stamp(request),
        )
    else:
        raise ValidationFailed(
            _("Pay with “wallet” or “provider”."), code="bad_method", field="method"
        )
    return Status(201, _payment_out(request, payment, payload.return_url))
