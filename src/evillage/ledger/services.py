"""Writes to the books. Only these functions move money; nothing edits or deletes a transfer.

Transactions: these are building blocks, so they use a plain `transaction.atomic()` (a
savepoint inside a caller's transaction) rather than `durable=True`. The top-level money
operations that call them (pay an order, release escrow) open the outermost
`transaction.atomic(durable=True)` themselves, so the ledger legs commit or roll back together
with the order change that caused them. A caller must therefore pass ALL the legs of one
operation to a single `transfers_create` call: the accounts are locked in primary-key
order only within one call.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import Conflict, ValidationFailed
from evillage.core.money import SUPPORTED_CURRENCIES
from evillage.ledger.models import PLATFORM_KINDS, Account, AccountKind, Transfer, TransferKind

# Far below the BigInteger ceiling, so summing many legs can never overflow.
MAX_TRANSFER_AMOUNT = 10**15
_NOT_NEGATIVE_CONSTRAINT = "ledger_wallet_not_negative"


@dataclass(frozen=True, slots=True)
class Leg:
    """One movement of a multi-leg operation, e.g. escrow -> seller and escrow -> revenue."""

    debit: Account
    credit: Account
    amount: int
    kind: str
    memo: str = ""


def account_wallet(*, user: User, currency: str) -> Account:
    """The user's wallet in this currency, created empty on first use."""
    _check_currency(currency)
    if user.pk is None:
        raise ValidationFailed(_("Unknown user."), code="bad_account")
    account, _created = Account.objects.get_or_create(
        kind=AccountKind.WALLET, owner=user, currency=currency
    )
    return account


def account_platform(*, kind: str, currency: str, shard: int = 0) -> Account:
    """The platform's own account of this kind (escrow, revenue, clearing, payout)."""
    _check_currency(currency)
    if kind not in PLATFORM_KINDS:
        raise ValidationFailed(
            _("%(kind)s is not a platform account.") % {"kind": kind}, code="bad_account"
        )
    account, _created = Account.objects.get_or_create(
        kind=kind, currency=currency, shard=shard, owner=None
    )
    return account


def transfer_create(
    *,
    debit: Account,
    credit: Account,
    amount: int,
    kind: str,
    reference: str = "",
    memo: str = "",
    actor: User | None = None,
) -> Transfer:
    """Move `amount` minor units from `debit` to `credit`; see `transfers_create`."""
    legs = [Leg(debit=debit, credit=credit, amount=amount, kind=kind, memo=memo)]
    return transfers_create(legs=legs, reference=reference, actor=actor)[0]


def transfers_create(
    *, legs: Sequence[Leg], reference: str = "", actor: User | None = None
) -> list[Transfer]:
    """Record several transfers all or nothing, updating the cached balances.

    Raises ValidationFailed for a malformed leg and Conflict("insufficient_funds") when a
    wallet would go negative; in both cases nothing is written.
    """
    if not legs:
        raise ValidationFailed(_("Nothing to transfer."), code="no_legs")
    for leg in legs:
        _check_leg(leg)
    _check_length(reference, Transfer._meta.get_field("reference").max_length, "reference")
    if len({leg.debit.currency for leg in legs}) > 1:
        raise ValidationFailed(
            _("All legs of one operation move the same currency."), code="currency_mismatch"
        )
    deltas: dict[int, int] = defaultdict(int)
    for leg in legs:
        deltas[leg.debit.pk] -= leg.amount
        deltas[leg.credit.pk] += leg.amount
    try:
        with transaction.atomic():
            balances = _lock_and_apply(deltas, currency=legs[0].debit.currency)
            transfers = Transfer.objects.bulk_create(
                Transfer(
                    debit=leg.debit,
                    credit=leg.credit,
                    amount=leg.amount,
                    currency=leg.debit.currency,
                    kind=leg.kind,
                    reference=reference,
                    memo=leg.memo,
                    created_by=actor,
                )
                for leg in legs
            )
    except IntegrityError as exc:
        # The CHECK constraint is the last line of defence behind the check under the lock.
        if _NOT_NEGATIVE_CONSTRAINT in str(exc):
            raise _insufficient_funds() from exc
        raise
    # Callers keep using their Account objects: show them the balances just written.
    for leg in legs:
        leg.debit.balance = balances[leg.debit.pk]
        leg.credit.balance = balances[leg.credit.pk]
    return transfers


def _lock_and_apply(deltas: dict[int, int], *, currency: str) -> dict[int, int]:
    """Lock the accounts in primary-key order (no deadlocks), check, then update balances."""
    # PostgreSQL locks rows in the order the ORDER BY emits them. SQLite ignores FOR UPDATE
    # and serialises writers instead (IMMEDIATE transactions).
    locked = list(
        Account.objects.select_for_update()
        .filter(pk__in=deltas)
        .order_by("pk")
        .values_list("pk", "kind", "currency", "balance")
    )
    if len(locked) != len(deltas):
        raise ValidationFailed(_("Unknown ledger account."), code="bad_account")
    # Trust the rows, not the caller's Account objects.
    if any(row_currency != currency for _pk, _kind, row_currency, _balance in locked):
        raise ValidationFailed(
            _("Both accounts must hold the same currency."), code="currency_mismatch"
        )
    balances = {}
    for pk, kind, _currency, balance in locked:
        balances[pk] = balance + deltas[pk]
        if _overdrawn(kind, balances[pk]):
            raise _insufficient_funds()
    for pk, delta in deltas.items():
        if delta:
            Account.objects.filter(pk=pk).update(balance=F("balance") + delta)
    return balances


def _overdrawn(kind: str, balance: int) -> bool:
    """Mirrors the ledger_wallet_not_negative constraint, to refuse before writing."""
    return kind == AccountKind.WALLET and balance < 0


def _check_leg(leg: Leg) -> None:
    amount = leg.amount
    # bool is an int, and floats/Decimals have no place in minor units.
    if type(amount) is not int:
        raise ValidationFailed(
            _("Amounts are whole numbers of minor units."), code="bad_amount", field="amount"
        )
    if amount <= 0:
        raise ValidationFailed(
            _("The amount must be greater than zero."), code="bad_amount", field="amount"
        )
    if amount > MAX_TRANSFER_AMOUNT:
        raise ValidationFailed(_("The amount is too large."), code="bad_amount", field="amount")
    _check_length(leg.memo, Transfer._meta.get_field("memo").max_length, "memo")
    if leg.kind not in TransferKind.values:
        raise ValidationFailed(_("Unknown transfer kind."), code="bad_kind")
    if leg.debit.pk is None or leg.credit.pk is None:
        raise ValidationFailed(_("Unknown ledger account."), code="bad_account")
    if leg.debit.pk == leg.credit.pk:
        raise ValidationFailed(
            _("An account cannot pay itself."), code="same_account", field="credit"
        )
    if leg.debit.currency != leg.credit.currency:
        raise ValidationFailed(
            _("Both accounts must hold the same currency."), code="currency_mismatch"
        )


def _check_length(text: str, limit: int, field: str) -> None:
    if len(text) > limit:
        raise ValidationFailed(
            _("At most %(limit)d characters.") % {"limit": limit}, code="too_long", field=field
        )


def _check_currency(currency: str) -> None:
    if currency not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(
            _("Unsupported currency %(currency)s.") % {"currency": currency},
            code="bad_currency",
            field="currency",
        )


def _insufficient_funds() -> Conflict:
    return Conflict(_("Not enough money in the wallet."), code="insufficient_funds")
