"""Payments: create, settle and refund them. Provider calls never happen under a DB lock.

A provider payment is created PENDING in one transaction; the payer is then sent to the
provider (an outside call, no transaction open); the provider's webhook settles it later in a
new durable transaction (`payment_succeed`), which runs the handler registered for the
payment's purpose (checkout -> orders, topup -> wallet) so that the state change and its
ledger legs commit together. A wallet payment is recorded as already SUCCEEDED inside the
caller's transaction, beside the ledger legs the caller writes.
"""

import functools
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import Conflict, NotFound, ValidationFailed
from evillage.core.money import SUPPORTED_CURRENCIES, check_minor
from evillage.ledger.models import Account, AccountKind, TransferKind
from evillage.ledger.services import MAX_TRANSFER_AMOUNT, Leg, account_platform, account_wallet
from evillage.payments.models import (
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentPurpose,
    PaymentState,
)

logger = logging.getLogger(__name__)

PurposeHandler = Callable[[Payment], None]
_HANDLERS: dict[str, PurposeHandler] = {}


def register_purpose(purpose: str, handler: PurposeHandler) -> None:
    """Who settles a succeeded payment of this purpose (called inside its transaction)."""
    _HANDLERS[purpose] = handler


def clearing_account(currency: str) -> Account:
    return account_platform(kind=AccountKind.CLEARING, currency=currency)


def check_amount(amount: int, currency: str, *, field: str = "amount") -> None:
    """An amount of minor units a payment or payout may carry, in a supported currency."""
    if currency not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(
            _("Unsupported currency %(currency)s.") % {"currency": currency},
            code="bad_currency",
            field="currency",
        )
    # bool is an int, and floats have no place in minor units.
    if type(amount) is not int or amount <= 0:
        raise ValidationFailed(
            _("The amount must be greater than zero."), code="bad_amount", field=field
        )
    if amount > MAX_TRANSFER_AMOUNT:
        raise ValidationFailed(_("The amount is too large."), code="bad_amount", field=field)
    check_minor(amount, currency, field=field)


def payment_pay_url(*, payment: Payment, return_url: str = "") -> str:
    """Where the payer completes a pending provider payment (a local path for the sandbox).

    `return_url` is where the provider sends the payer afterwards: a local path.
    """
    from evillage.payments.providers import get_provider

    return get_provider(payment.provider).start_url(payment=payment, return_url=return_url)


def payment_create_provider(
    *,
    payer: User,
    purpose: str,
    reference: str,
    amount: int,
    currency: str,
    provider: str = "sandbox",
    idempotency_key: str | None = None,
) -> Payment:
    """A pending payment the payer completes at the provider (see providers.get)."""
    from evillage.payments.providers import get_provider

    get_provider(provider)  # raises for an unknown provider
    if purpose not in PaymentPurpose.values:
        raise ValidationFailed(_("Unknown payment purpose."), code="bad_purpose")
    check_amount(amount, currency)
    with transaction.atomic():
        payment = Payment.objects.create(
            payer=payer,
            purpose=purpose,
            reference=reference,
            method=PaymentMethod.PROVIDER,
            provider=provider,
            amount=amount,
            currency=currency,
            idempotency_key=idempotency_key,
        )
        PaymentEvent.objects.create(
            payment=payment, actor=payer, to_state=PaymentState.PENDING, reason="created"
        )
    return payment


def payment_record_wallet(
    *,
    payer: User,
    purpose: str,
    reference: str,
    amount: int,
    currency: str,
    idempotency_key: str | None = None,
) -> Payment:
    """Record a payment from the payer's wallet; the caller writes the ledger legs with it.

    Must run inside the caller's transaction (the legs and this row commit together).
    """
    now = timezone.now()
    payment = Payment.objects.create(
        payer=payer,
        purpose=purpose,
        reference=reference,
        method=PaymentMethod.WALLET,
        amount=amount,
        currency=currency,
        state=PaymentState.SUCCEEDED,
        idempotency_key=idempotency_key,
        settled_at=now,
    )
    PaymentEvent.objects.create(
        payment=payment, actor=payer, to_state=PaymentState.SUCCEEDED, reason="wallet", at=now
    )
    return payment


def payment_source_account(payment: Payment) -> Account:
    """Where the money of this payment came from: the payer's wallet or provider clearing."""
    if payment.method == PaymentMethod.WALLET:
        return account_wallet(user=payment.payer, currency=payment.currency)
    return clearing_account(payment.currency)


def payment_succeed(*, payment_id: int, provider_ref: str = "", reason: str = "") -> bool:
    """Settle a pending provider payment; False if it was not pending (a duplicate)."""
    with transaction.atomic(durable=True):
        return settle_succeeded(payment_id=payment_id, provider_ref=provider_ref, reason=reason)


def payment_fail(*, payment_id: int, state: str = PaymentState.FAILED, reason: str = "") -> bool:
    """A pending payment failed or was abandoned; False if it was not pending."""
    with transaction.atomic(durable=True):
        return settle_failed(payment_id=payment_id, state=state, reason=reason)


def settle_succeeded(*, payment_id: int, provider_ref: str = "", reason: str = "") -> bool:
    """The body of `payment_succeed`, for a caller that owns the durable transaction (the
    webhook receiver records the delivery in it, so the delivery and its effect commit
    together). The conditional UPDATE is the guard: of two concurrent calls, one changes
    the row and the other, after waiting for its lock, finds it no longer pending.

    The purpose handler runs in this transaction; if it raises, nothing is settled.
    """
    updated = Payment.objects.filter(pk=payment_id, state=PaymentState.PENDING).update(
        state=PaymentState.SUCCEEDED, provider_ref=provider_ref[:80], settled_at=timezone.now()
    )
    if not updated:
        return False
    payment = Payment.objects.select_related("payer").get(pk=payment_id)
    PaymentEvent.objects.create(
        payment=payment,
        from_state=PaymentState.PENDING,
        to_state=PaymentState.SUCCEEDED,
        reason=reason[:300],
    )
    handler = _HANDLERS.get(payment.purpose)
    if handler is None:
        raise RuntimeError(f"no handler registered for payment purpose {payment.purpose}")
    handler(payment)
    return True


def settle_failed(*, payment_id: int, state: str = PaymentState.FAILED, reason: str = "") -> bool:
    """The body of `payment_fail`, for a caller that owns the transaction."""
    if state not in (PaymentState.FAILED, PaymentState.ABANDONED):
        raise ValidationFailed(_("Not a failure state."), code="bad_state")
    updated = Payment.objects.filter(pk=payment_id, state=PaymentState.PENDING).update(
        state=state, settled_at=timezone.now()
    )
    if updated:
        PaymentEvent.objects.create(
            payment_id=payment_id,
            from_state=PaymentState.PENDING,
            to_state=state,
            reason=reason[:300],
        )
    return bool(updated)


def refund_leg(*, payment: Payment, amount: int, debit: Account, memo: str = "") -> Leg:
    """The leg that returns `amount` of this payment to where it came from.

    Must run inside the caller's transaction, which passes the leg to `transfers_create`.
    Raises Conflict when the payment would be refunded beyond what was paid. A provider
    refund is sent to the provider after the transaction commits.
    """
    if type(amount) is not int or amount <= 0:
        raise ValidationFailed(_("The amount must be greater than zero."), code="bad_amount")
    updated = Payment.objects.filter(
        pk=payment.pk,
        state=PaymentState.SUCCEEDED,
        refunded__lte=F("amount") - amount,
    ).update(refunded=F("refunded") + amount)
    if not updated:
        raise Conflict(
            _("The refund would be larger than what was paid."), code="refund_exceeds_payment"
        )
    if payment.method == PaymentMethod.PROVIDER:
        transaction.on_commit(
            functools.partial(_send_provider_refund, payment.pk, amount), robust=True
        )
    return Leg(
        debit=debit,
        credit=payment_source_account(payment),
        amount=amount,
        kind=TransferKind.REFUND,
        memo=memo,
    )


def _send_provider_refund(payment_id: int, amount: int) -> None:
    """Tell the provider to return the money to the payer's card or bank (after commit)."""
    from evillage.payments.providers import get_provider

    payment = Payment.objects.get(pk=payment_id)
    get_provider(payment.provider).refund(payment=payment, amount=amount)


def payment_get(*, public_id: str) -> Payment:
    try:
        return Payment.objects.select_related("payer").get(public_id=public_id)
    except Payment.DoesNotExist:
        raise NotFound(_("Payment not found."), code="payment_not_found") from None
