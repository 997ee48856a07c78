"""Money coming in (payments, top-ups) and going out (payouts) through providers or wallets.

A Payment is the buyer's intent to pay an amount for a purpose ("checkout", "topup") by a
method (the wallet, or a provider such as the sandbox). The ledger legs it causes are written
by whoever settles it, in the same transaction as the state change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField
from evillage.ledger.models import CURRENCY_CHOICES


class PaymentMethod(models.TextChoices):
    WALLET = "wallet", _("wallet balance")
    PROVIDER = "provider", _("payment provider")


class PaymentPurpose(models.TextChoices):
    CHECKOUT = "checkout", _("checkout")
    TOPUP = "topup", _("wallet top-up")


class PaymentState(models.TextChoices):
    PENDING = "pending", _("waiting for the provider")
    SUCCEEDED = "succeeded", _("paid")
    FAILED = "failed", _("failed")
    ABANDONED = "abandoned", _("abandoned")


class Payment(models.Model):
    public_id = PublicIdField()
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=PaymentPurpose.choices)
    # What is paid for: the checkout's public id for "checkout"; empty for a top-up.
    reference = models.CharField(_("reference"), max_length=40, blank=True, db_index=True)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    # Refunded so far; never more than the amount (constraint).
    refunded = models.BigIntegerField(_("refunded (minor units)"), default=0)
    # The provider's own id for this payment, once it has one.
    provider_ref = models.CharField(max_length=80, blank=True)
    # The API Idempotency-Key that created it: a retry after a crash finds this row.
    # NULL, not "": rows without a key must not collide in the unique constraint.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=255, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=models.F("amount")),
                name="payment_refund_within_amount",
            ),
            models.UniqueConstraint(
                fields=["payer", "idempotency_key"], name="payment_unique_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount} {self.currency} {self.public_id}"


class PaymentEvent(models.Model):
    """Every change of a payment's state: who, when, from, to, why."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"


class WebhookOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    DUPLICATE = "duplicate", _("duplicate (already processed)")
    BAD_SIGNATURE = "bad_signature", _("bad signature")
    STALE = "stale", _("timestamp outside the window")
    UNKNOWN_PAYMENT = "unknown_payment", _("unknown payment")
    MALFORMED = "malformed", _("malformed")
    # Authentic, but settling it raised: nothing was applied and the provider will retry.
    ERROR = "error", _("error while processing")


class WebhookDelivery(models.Model):
    """Every webhook call received, accepted or not: the log operators read."""

    provider = models.CharField(max_length=20)
    # The provider's event id; an accepted event id is processed once (replays are refused).
    event_id = models.CharField(max_length=80, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=16, choices=WebhookOutcome.choices)
    # The payment it concerned, once the event was authentic and named a known payment.
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="webhook_deliveries",
    )
    remote_addr = models.CharField(max_length=45, blank=True)
    body = models.TextField(max_length=20_000, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"],
                condition=Q(outcome="accepted"),
                name="webhook_event_accepted_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.outcome}"


class PayoutState(models.TextChoices):
    PENDING = "pending", _("being paid out")
    PAID = "paid", _("paid to the bank")
    FAILED = "failed", _("failed, money returned to the wallet")


class Payout(models.Model):
    """A withdrawal from a wallet to a bank account, through a provider."""

    public_id = PublicIdField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    provider = models.CharField(_("provider"), max_length=20)
    bank_account_name = models.CharField(_("account holder"), max_length=80)
    # Stored masked: only the last four digits are kept after the provider call.
    bank_account_number = models.CharField(_("account number"), max_length=40)
    bank_name = models.CharField(_("bank"), max_length=80)
    state = models.CharField(
        _("state"), max_length=10, choices=PayoutState.choices, default=PayoutState.PENDING
    )
    provider_ref = models.CharField(max_length=80, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    # NULL, not "": rows without a key must not collide in the unique constraint.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=255, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"], name="payout_unique_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"payout {self.amount} {self.currency} {self.public_id}"
