"""Paying a checkout: from the wallet at once, or through a provider and its webhook.

All orders of a checkout still waiting for payment are paid together. Money that arrives
for orders that can no longer be paid (closed at the deadline, or already paid another way)
goes straight back to where it came from: nothing is ever paid twice.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import Conflict, NotFound
from evillage.ledger.models import TransferKind
from evillage.ledger.services import Leg, account_wallet, transfers_create
from evillage.orders.models import Checkout, Order, OrderState
from evillage.orders.services._common import escrow_account, transition
from evillage.payments.models import Payment, PaymentPurpose
from evillage.payments.services import (
    clearing_account,
    payment_create_provider,
    payment_record_wallet,
    refund_leg,
)


def checkout_get(*, public_id: str, buyer: User) -> Checkout:
    checkout = Checkout.objects.filter(public_id=public_id, buyer=buyer).first()
    if checkout is None:
        raise NotFound(_("Checkout not found."), code="checkout_not_found")
    return checkout


def checkout_amount_due(checkout: Checkout) -> int:
    """What paying this checkout now would cost: its orders still waiting for payment."""
    return sum(
        checkout.orders.filter(state=OrderState.WAIT_BUYER_PAY).values_list("total", flat=True)
    )


def checkout_pay_wallet(
    *, checkout: Checkout, buyer: User, idempotency_key: str | None = None
) -> Payment:
    """Pay every unpaid order of the checkout from the buyer's wallet, at once."""
    if checkout.buyer_id != buyer.pk:
        raise NotFound(_("Checkout not found."), code="checkout_not_found")
    earlier = _earlier_payment(buyer, idempotency_key)
    if earlier is not None:
        return earlier
    with transaction.atomic(durable=True):
        orders = _lock_payable(checkout)
        # Look again under the lock: a concurrent request with the same key may have
        # paid while this one waited for it.
        earlier = _earlier_payment(buyer, idempotency_key)
        if earlier is not None:
            return earlier
        if not orders:
            raise _nothing_to_pay()
        amount = sum(order.total for order in orders)
        payment = payment_record_wallet(
            payer=buyer,
            purpose=PaymentPurpose.CHECKOUT,
            reference=checkout.public_id,
            amount=amount,
            currency=checkout.currency,
            idempotency_key=idempotency_key,
        )
        transfers_create(
            legs=[
                Leg(
                    debit=account_wallet(user=buyer, currency=checkout.currency),
                    credit=escrow_account(checkout.currency),
                    amount=amount,
                    kind=TransferKind.PAYMENT,
                )
            ],
            reference=f"checkout:{checkout.public_id}",
            actor=buyer,
        )
        _mark_paid(orders, payment, actor=buyer)
    return payment


def checkout_pay_provider(
    *,
    checkout: Checkout,
    buyer: User,
    provider: str = "sandbox",
    idempotency_key: str | None = None,
) -> Payment:
    """A pending provider payment for the unpaid orders; the buyer completes it there."""
    if checkout.buyer_id != buyer.pk:
        raise NotFound(_("Checkout not found."), code="checkout_not_found")
    earlier = _earlier_payment(buyer, idempotency_key)
    if earlier is not None:
        return earlier
    amount = checkout_amount_due(checkout)
    if not amount:
        raise _nothing_to_pay()
    try:
        return payment_create_provider(
            payer=buyer,
            purpose=PaymentPurpose.CHECKOUT,
            reference=checkout.public_id,
            amount=amount,
            currency=checkout.currency,
            provider=provider,
            idempotency_key=idempotency_key,
        )
    except IntegrityError as exc:
        # The same key from a concurrent request that committed first: its payment.
        earlier = _earlier_payment(buyer, idempotency_key)
        if earlier is None or "payment_unique_idempotency_key" not in str(exc):
            raise
        return earlier


def settle_checkout_payment(payment: Payment) -> None:
    """A provider says the buyer paid: into escrow, orders paid; any surplus goes back.

    Runs inside payments.services.payment_succeed's durable transaction.
    """
    checkout = Checkout.objects.get(public_id=payment.reference)
    orders = _lock_payable(checkout)
    due = sum(order.total for order in orders)
    clearing = clearing_account(payment.currency)
    escrow = escrow_account(payment.currency)
    legs = [Leg(debit=clearing, credit=escrow, amount=payment.amount, kind=TransferKind.PAYMENT)]
    if due > payment.amount:
        # The buyer was charged less than the orders now cost (cannot happen: totals are
        # fixed at checkout); refuse to half-pay, return the money.
        orders, due = [], 0
    if payment.amount > due:
        legs.append(
            refund_leg(
                payment=payment,
                amount=payment.amount - due,
                debit=escrow,
                memo="orders no longer payable",
            )
        )
    transfers_create(legs=legs, reference=f"checkout:{checkout.public_id}")
    _mark_paid(orders, payment, actor=None)


def _lock_payable(checkout: Checkout) -> list[Order]:
    return list(
        Order.objects.select_for_update()
        .filter(checkout=checkout, state=OrderState.WAIT_BUYER_PAY)
        .order_by("pk")
    )


def _mark_paid(orders: list[Order], payment: Payment, *, actor: User | None) -> None:
    now = timezone.now()
    for order in orders:
        transition(
            order,
            to=OrderState.WAIT_SELLER_SEND,
            actor=actor,
            reason=f"paid by {payment.method}",
            payment=payment,
            paid_at=now,
            pay_deadline=None,
        )


def _earlier_payment(buyer: User, idempotency_key: str | None) -> Payment | None:
    if not idempotency_key:
        return None
    return Payment.objects.filter(payer=buyer, idempotency_key=idempotency_key).first()


def _nothing_to_pay() -> Conflict:
    return Conflict(
        _("Nothing to pay: these orders are already paid or closed."), code="nothing_to_pay"
    )
