"""Withdrawals: money from a wallet to a bank account, through a provider.

Three steps, so that no database lock is held while the provider is called:
1. one durable transaction creates the Payout (PENDING) and moves the money wallet ->
   the platform's PAYOUT account (refused with nothing written if the wallet is short);
2. the provider is called, with no transaction open;
3. a second durable transaction records the answer: PAID, or FAILED with the money moved
   back PAYOUT -> wallet. The change is a conditional UPDATE from PENDING, so of the
   request and a concurrent `payouts_resume_pending`, one finishes it and the other does
   nothing.

A payout whose outcome is unknown (the process died after step 1, or the provider call
raised) stays PENDING with the money held; `payouts_resume_pending` asks the provider
later and finishes it. Money is never returned on an unknown outcome: the bank may have
been paid.

Only the masked account number is stored; the full number is passed to the provider
and forgotten.
"""

import logging
import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import ValidationFailed
from evillage.ledger.models import AccountKind, TransferKind
from evillage.ledger.services import account_platform, account_wallet, transfer_create
from evillage.payments.models import Payout, PayoutState
from evillage.payments.providers import get_provider
from evillage.payments.providers.base import PayoutResult
from evillage.payments.services.payments import check_amount

logger = logging.getLogger(__name__)

# A PENDING payout younger than this may still be in its request: leave it alone.
PAYOUT_RESUME_AFTER = timedelta(minutes=10)
_RESUME_BATCH = 500
_NAME_MAX = 80
_ACCOUNT_NUMBER = re.compile(r"\d{6,34}")
# People type account numbers in groups: "6222 0212 3456 7890", "123-456-789".
_NUMBER_SEPARATORS = re.compile(r"[\s-]+")


def payout_request(
    *,
    owner: User,
    amount: int,
    currency: str,
    bank_account_name: str,
    bank_account_number: str,
    bank_name: str,
    idempotency_key: str | None = None,
    provider: str = "sandbox",
) -> Payout:
    """Withdraw `amount` minor units from the owner's wallet to a bank account.

    Returns the payout PAID, FAILED (money back in the wallet) or, when the provider's
    answer is unknown, PENDING. Raises ValidationFailed for bad input and
    Conflict("insufficient_funds") when the wallet is short; then nothing is written.
    With an `idempotency_key` this owner already used, returns that payout unchanged.
    Must run outside any transaction.
    """
    if idempotency_key:
        existing = _by_key(owner, idempotency_key)
        if existing is not None:
            return existing
    adapter = get_provider(provider)
    check_amount(amount, currency)
    holder = _clean_name(bank_account_name, field="bank_account_name")
    bank = _clean_name(bank_name, field="bank_name")
    number = _clean_account_number(bank_account_number)
    try:
        payout = _hold(
            owner=owner,
            amount=amount,
            currency=currency,
            provider=provider,
            holder=holder,
            number=number,
            bank=bank,
            idempotency_key=idempotency_key,
        )
    except IntegrityError:
        existing = _by_key(owner, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing  # a concurrent request with the same key won
    try:
        result = adapter.send_payout(payout=payout, account_number=number)
    except Exception:
        # Paid or not, we cannot tell: keep the money held and ask again later.
        logger.exception("Payout %s: the provider call failed; left pending.", payout.public_id)
        return payout
    return _finish(payout=payout, result=result)


def payout_resume(*, payout: Payout) -> Payout:
    """Ask the provider how a PENDING payout ended and record it; unchanged if unknown."""
    if payout.state != PayoutState.PENDING:
        return payout
    try:
        result = get_provider(payout.provider).payout_status(payout=payout)
    except Exception:
        logger.exception("Payout %s: the provider status call failed.", payout.public_id)
        return payout
    if result is None:
        return payout
    return _finish(payout=payout, result=result)


def payouts_resume_pending(
    older_than: timedelta = PAYOUT_RESUME_AFTER, *, now: datetime | None = None
) -> int:
    """Finish the payouts left PENDING for longer than `older_than` (a crash between the
    steps, or a provider that did not answer); return how many were finished.

    For the deadline sweeper: safe to run at any time and concurrently with requests.
    Must run outside any transaction.
    """
    cutoff = (now or timezone.now()) - older_than
    pending = list(
        Payout.objects.filter(state=PayoutState.PENDING, created_at__lt=cutoff).order_by("pk")[
            :_RESUME_BATCH
        ]
    )
    finished = 0
    for payout in pending:
        if payout_resume(payout=payout).state != PayoutState.PENDING:
            finished += 1
    return finished


def mask_account_number(number: str) -> str:
    return f"•••• {number[-4:]}"


def _hold(
    *,
    owner: User,
    amount: int,
    currency: str,
    provider: str,
    holder: str,
    number: str,
    bank: str,
    idempotency_key: str | None,
) -> Payout:
    """Step 1: the payout row and the money held in the PAYOUT account, together."""
    with transaction.atomic(durable=True):
        payout = Payout.objects.create(
            owner=owner,
            amount=amount,
            currency=currency,
            provider=provider,
            bank_account_name=holder,
            bank_account_number=mask_account_number(number),
            bank_name=bank,
            idempotency_key=idempotency_key,
        )
        transfer_create(
            debit=account_wallet(user=owner, currency=currency),
            credit=account_platform(kind=AccountKind.PAYOUT, currency=currency),
            amount=amount,
            kind=TransferKind.PAYOUT,
            reference=f"payout:{payout.public_id}",
            memo=f"{bank} {payout.bank_account_number}"[:500],
            actor=owner,
        )
    return payout


def _finish(*, payout: Payout, result: PayoutResult) -> Payout:
    """Step 3: record the provider's answer; a failure returns the money to the wallet."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        pending = Payout.objects.filter(pk=payout.pk, state=PayoutState.PENDING)
        if result.ok:
            pending.update(
                state=PayoutState.PAID, provider_ref=result.provider_ref[:80], settled_at=now
            )
        elif pending.update(
            state=PayoutState.FAILED,
            provider_ref=result.provider_ref[:80],
            failure_reason=(result.reason or _("The bank refused the payment."))[:300],
            settled_at=now,
        ):
            transfer_create(
                debit=account_platform(kind=AccountKind.PAYOUT, currency=payout.currency),
                credit=account_wallet(user=payout.owner, currency=payout.currency),
                amount=payout.amount,
                kind=TransferKind.PAYOUT_RETURN,
                reference=f"payout:{payout.public_id}",
            )
    payout.refresh_from_db()
    return payout


def _clean_name(value: str, *, field: str) -> str:
    text = " ".join(str(value).split())
    if not text:
        raise ValidationFailed(_("This field is required."), code=f"bad_{field}", field=field)
    if len(text) > _NAME_MAX or not text.isprintable():
        raise ValidationFailed(
            _("Use at most %(limit)d ordinary characters.") % {"limit": _NAME_MAX},
            code=f"bad_{field}",
            field=field,
        )
    return text


def _clean_account_number(value: str) -> str:
    number = _NUMBER_SEPARATORS.sub("", str(value))
    if not (number.isascii() and _ACCOUNT_NUMBER.fullmatch(number)):
        raise ValidationFailed(
            _("An account number is 6 to 34 digits."),
            code="bad_account_number",
            field="bank_account_number",
        )
    return number


def _by_key(owner: User, key: str) -> Payout | None:
    return Payout.objects.filter(owner=owner, idempotency_key=key).first()
