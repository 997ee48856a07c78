"""Reads for payments and wallets: balances, statements, a payer's payments and payouts."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.money import SUPPORTED_CURRENCIES
from evillage.ledger.models import Account, AccountKind, Transfer
from evillage.ledger.selectors import account_statement
from evillage.payments.models import Payment, Payout

# Whom a wallet's money went to or came from, when that is the platform itself.
_PLATFORM_COUNTERPARTS = {
    AccountKind.CLEARING: lambda: _("Payment provider"),
    AccountKind.ESCROW: lambda: _("Escrow"),
    AccountKind.REVENUE: lambda: _("eVillage fees"),
    AccountKind.PAYOUT: lambda: _("Bank account"),
}


def wallets_of(*, user: User) -> list[Account]:
    """The user's wallets, one per currency used so far."""
    return list(Account.objects.filter(kind=AccountKind.WALLET, owner=user).order_by("currency"))


def wallet_of(*, user: User, currency: str) -> Account | None:
    return Account.objects.filter(kind=AccountKind.WALLET, owner=user, currency=currency).first()


def default_currency(*, user: User) -> str:
    """The currency of the user's village's country, else the first supported one."""
    from evillage.shops.services import CURRENCY_OF_COUNTRY

    residence = user.residence
    if residence is not None:
        return CURRENCY_OF_COUNTRY.get(residence.country, SUPPORTED_CURRENCIES[0])
    return SUPPORTED_CURRENCIES[0]


def wallet_statement(*, wallet: Account | None) -> QuerySet[Transfer]:
    """The wallet's transfers newest first, with `signed_amount`, `balance_after` and the
    owners of both accounts loaded (for `counterpart`). Empty for no wallet."""
    if wallet is None:
        return Transfer.objects.none()
    return account_statement(account=wallet).select_related("debit__owner", "credit__owner")


def counterpart(transfer: Transfer) -> str:
    """Who is on the other side of a statement row (from `wallet_statement`)."""
    other = transfer.debit if transfer.signed_amount > 0 else transfer.credit
    if other.kind == AccountKind.WALLET:
        return other.owner.public_name
    label = _PLATFORM_COUNTERPARTS.get(other.kind)
    return label() if label else other.get_kind_display()


def payment_of_payer(*, user: User, public_id: str) -> Payment | None:
    """The payment if this user is its payer; None otherwise (others may not see it)."""
    return Payment.objects.filter(public_id=public_id, payer=user).first()


def payouts_of(*, user: User) -> QuerySet[Payout]:
    return Payout.objects.filter(owner=user).order_by("-created_at", "-id")


def payout_of_owner(*, user: User, public_id: str) -> Payout | None:
    return Payout.objects.filter(public_id=public_id, owner=user).first()
