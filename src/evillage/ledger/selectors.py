"""Reads of the books: statements, totals, and the audit that proves the books balance."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Sum, When, Window

from evillage.ledger.models import Account, AccountKind, Transfer


def account_statement(*, account: Account) -> QuerySet[Transfer]:
    """Transfers touching the account, newest first, each with `signed_amount` (+ in, - out)
    and `balance_after` (the account's balance right after it). Slice it to paginate.

    Transfers are ordered by id: they are inserted while both accounts are locked, so per
    account the id order is the order in which they happened.
    """
    signed = Case(
        When(credit=account, then=F("amount")),
        default=-F("amount"),
    )
    return (
        Transfer.objects.filter(Q(debit=account) | Q(credit=account))
        .select_related("debit", "credit")
        .annotate(
            signed_amount=signed,
            # The window runs over the whole history before any LIMIT, so paging is safe.
            balance_after=Window(Sum(signed), order_by=F("id").asc()),
        )
        .order_by("-id")
    )


def balances_by_currency() -> dict[str, dict[str, int]]:
    """{currency: {account kind: sum of cached balances}}; each currency sums to zero."""
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    rows = Account.objects.values_list("currency", "kind").annotate(total=Sum("balance"))
    for currency, kind, total in rows.order_by("currency", "kind"):
        totals[currency][kind] = total
    return dict(totals)


@dataclass(frozen=True, slots=True)
class Mismatch:
    account: Account
    cached: int
    computed: int


@dataclass(frozen=True, slots=True)
class AuditResult:
    accounts: int
    transfers: int
    # Sum of cached balances per currency: must be zero.
    totals: dict[str, int]
    mismatches: list[Mismatch] = field(default_factory=list)
    negative_wallets: int = 0
    # Transfers whose currency differs from one of their accounts'.
    currency_mismatches: int = 0

    @property
    def unbalanced_currencies(self) -> list[str]:
        return [currency for currency, total in self.totals.items() if total != 0]

    @property
    def ok(self) -> bool:
        return not (
            self.mismatches
            or self.negative_wallets
            or self.currency_mismatches
            or self.unbalanced_currencies
        )


def ledger_audit() -> AuditResult:
    """Recompute every balance from the transfers in a few set-based queries.

    Each query is one statement, so it sees one consistent snapshot even while money moves.
    """
    totals = {
        currency: total
        for currency, total in Account.objects.values_list("currency")
        .annotate(total=Sum("balance"))
        .order_by("currency")
    }
    mismatched = _mismatched_balances()
    accounts = Account.objects.select_related("owner").in_bulk([pk for pk, *_ in mismatched])
    return AuditResult(
        accounts=Account.objects.count(),
        transfers=Transfer.objects.count(),
        totals=totals,
        mismatches=[
            Mismatch(account=accounts[pk], cached=cached, computed=computed)
            for pk, cached, computed in mismatched
        ],
        negative_wallets=Account.objects.filter(kind=AccountKind.WALLET, balance__lt=0).count(),
        currency_mismatches=Transfer.objects.filter(
            ~Q(currency=F("debit__currency")) | ~Q(currency=F("credit__currency"))
        ).count(),
    )


def _mismatched_balances() -> list[tuple[int, int, int]]:
    """(account id, cached, computed) for every account whose cached balance is wrong."""
    account = Account._meta.db_table
    transfer = Transfer._meta.db_table
    # One pass over the transfers (twice: once per side), hashed by account: no per-account
    # loop and no correlated subquery, so it stays linear in millions of transfers.
    sql = f"""
        WITH moves AS (
            SELECT credit_id AS account_id, amount AS delta FROM {transfer}
            UNION ALL
            SELECT debit_id AS account_id, -amount AS delta FROM {transfer}
        ), computed AS (
            SELECT account_id, SUM(delta) AS balance FROM moves GROUP BY account_id
        )
        SELECT a.id, a.balance, COALESCE(c.balance, 0)
        FROM {account} a LEFT JOIN computed c ON c.account_id = a.id
        WHERE a.balance <> COALESCE(c.balance, 0)
        ORDER BY a.id
    """  # noqa: S608 - table names come from model metadata, no user input
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(pk, cached, int(computed)) for pk, cached, computed in cursor.fetchall()]
