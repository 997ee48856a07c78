"""Wallet top-ups: a provider payment of purpose "topup" that, once paid, fills the wallet."""

from django.db import IntegrityError

from evillage.accounts.models import User
from evillage.ledger.models import TransferKind
from evillage.ledger.services import account_wallet, transfer_create
from evillage.payments.models import Payment, PaymentPurpose
from evillage.payments.services.payments import (
    check_amount,
    clearing_account,
    payment_create_provider,
)


def topup_start(
    *,
    payer: User,
    amount: int,
    currency: str,
    provider: str = "sandbox",
    idempotency_key: str | None = None,
) -> Payment:
    """A pending top-up payment; send the payer to `payment_pay_url` to complete it.

    With an `idempotency_key` already used by this payer, the payment it created is
    returned instead of a second one (a retried request, a double-clicked form).
    """
    if idempotency_key:
        existing = _by_key(payer, idempotency_key)
        if existing is not None:
            return existing
    check_amount(amount, currency)
    try:
        return payment_create_provider(
            payer=payer,
            purpose=PaymentPurpose.TOPUP,
            reference="",
            amount=amount,
            currency=currency,
            provider=provider,
            idempotency_key=idempotency_key,
        )
    except IntegrityError:
        # The same key, a moment earlier, from a concurrent request.
        existing = _by_key(payer, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing


def settle_topup_payment(payment: Payment) -> None:
    """The purpose handler of "topup": provider clearing -> the payer's wallet.

    Runs inside payment_succeed's transaction, so the wallet is credited exactly when the
    payment becomes SUCCEEDED.
    """
    transfer_create(
        debit=clearing_account(payment.currency),
        credit=account_wallet(user=payment.payer, currency=payment.currency),
        amount=payment.amount,
        kind=TransferKind.TOPUP,
        reference=f"payment:{payment.public_id}",
    )


def _by_key(payer: User, key: str) -> Payment | None:
    return Payment.objects.filter(
        payer=payer, idempotency_key=key, purpose=PaymentPurpose.TOPUP
    ).first()
