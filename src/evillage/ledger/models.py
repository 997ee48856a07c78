"""Double-entry books: accounts with a cached balance, and immutable transfers between them.

Sign convention: a transfer takes `amount` from its debit account and gives it to its
credit account, so an account's balance is (sum of its credits) - (sum of its debits).
Every transfer adds +amount and -amount, so per currency all balances sum to zero.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField
from evillage.core.money import SUPPORTED_CURRENCIES

CURRENCY_CHOICES = [(code, code) for code in SUPPORTED_CURRENCIES]


class AccountKind(models.TextChoices):
    # A person's stored value (buyer refunds, seller earnings). Never negative.
    WALLET = "wallet", _("wallet")
    # Buyers' payments held by the platform until the order is settled.
    ESCROW = "escrow", _("escrow")
    # The platform's commission, earned when escrow is released.
    REVENUE = "revenue", _("revenue")
    # The payment provider's side: money coming in debits it, so it runs negative
    # by what the provider owes us (it stands for money outside the platform).
    CLEARING = "clearing", _("payment clearing")
    # Money paid out to bank accounts: credited on every payout (outside the platform).
    PAYOUT = "payout", _("bank payouts")


PLATFORM_KINDS = frozenset(AccountKind) - {AccountKind.WALLET}


class Account(models.Model):
    public_id = PublicIdField()
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # An account with history never disappears, so neither does its owner.
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        verbose_name=_("owner"),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    # Platform accounts are hot rows (every payment touches escrow); shards split one
    # logical account into several rows if a benchmark ever says so. Wallets use 0.
    shard = models.PositiveSmallIntegerField(_("shard"), default=0)
    # Cached: always equal to credits - debits of this account's transfers (ledger_audit).
    balance = models.BigIntegerField(_("balance (minor units)"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.WALLET) | Q(balance__gte=0),
                name="ledger_wallet_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(kind=AccountKind.WALLET, owner__isnull=False, shard=0))
                | (~Q(kind=AccountKind.WALLET) & Q(owner__isnull=True)),
                name="ledger_owner_iff_wallet",
            ),
            models.UniqueConstraint(
                fields=["owner", "currency"],
                condition=Q(kind=AccountKind.WALLET),
                name="ledger_one_wallet_per_owner_currency",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "shard"],
                condition=Q(owner__isnull=True),
                name="ledger_one_platform_account_per_shard",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.currency} {self.public_id}"


class TransferKind(models.TextChoices):
    TOPUP = "topup", _("top-up")
    PAYMENT = "payment", _("payment")
    ESCROW_RELEASE = "escrow_release", _("escrow release")
    COMMISSION = "commission", _("commission")
    REFUND = "refund", _("refund")
    PAYOUT = "payout", _("payout")
    PAYOUT_RETURN = "payout_return", _("failed payout returned")
    CORRECTION = "correction", _("correction")
    DROPSHIP_PURCHASE = "dropship", _("drop-ship purchase")


class TransferQuerySet(models.QuerySet):
    """Transfers are facts: a mistake is corrected by a new transfer, never by an edit."""

    def update(self, **kwargs):
        raise TypeError("ledger transfers are immutable")

    def delete(self):
        raise TypeError("ledger transfers are immutable")


class Transfer(models.Model):
    public_id = PublicIdField()
    debit = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="debits", verbose_name=_("from")
    )
    credit = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="credits", verbose_name=_("to")
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    # Opaque link to whatever caused it (an order, a payment): "order:AbC123...".
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger transfer")
        verbose_name_plural = _("ledger transfers")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_transfer_positive"),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="ledger_transfer_distinct_accounts"
            ),
        ]
        indexes = [
            models.Index(fields=["debit", "created_at"], name="ledger_transfer_debit_time"),
            models.Index(fields=["credit", "created_at"], name="ledger_transfer_credit_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} {self.public_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("ledger transfers are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ledger transfers are immutable")
