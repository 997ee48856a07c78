"""Carts, checkouts, orders with their life cycle, refunds and disputes.

Order states follow Taobao's trade states:
WAIT_BUYER_PAY -> WAIT_SELLER_SEND (paid, money in escrow) -> WAIT_BUYER_CONFIRM (shipped)
-> FINISHED; or CLOSED (unpaid past the deadline, cancelled, or fully refunded).

Stock per SKU: ordering moves units from `available` to `reserved`; shipping moves them
from `reserved` to `sold`; closing an order that has not shipped moves them back to
`available`. So available + reserved + sold only changes when the seller restocks.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField
from evillage.core.storage import private_storage
from evillage.ledger.models import CURRENCY_CHOICES

MAX_CART_LINES = 50
MAX_LINE_QUANTITY = 999


class Cart(models.Model):
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.owner_id}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_line_unique_sku"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_LINE_QUANTITY),
                name="cart_line_quantity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_id}"


class Checkout(models.Model):
    """One buyer's checkout: one order per shop, paid by one payment (as on Taobao)."""

    public_id = PublicIdField()
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts"
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    total = models.BigIntegerField(_("total (minor units)"))
    # The API Idempotency-Key that created it: a retry after a crash finds this row.
    # NULL, not "": rows without a key must not collide in the unique constraint.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=255, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="checkout_total_positive"),
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"], name="checkout_unique_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class OrderState(models.TextChoices):
    WAIT_BUYER_PAY = "wait_pay", _("waiting for payment")
    WAIT_SELLER_SEND = "paid", _("paid, waiting for shipment")
    WAIT_BUYER_CONFIRM = "shipped", _("shipped, waiting for the buyer to confirm")
    FINISHED = "finished", _("finished")
    CLOSED = "closed", _("closed")


OPEN_STATES = (
    OrderState.WAIT_BUYER_PAY,
    OrderState.WAIT_SELLER_SEND,
    OrderState.WAIT_BUYER_CONFIRM,
)
# States in which the buyer's money is held in escrow.
ESCROW_STATES = (OrderState.WAIT_SELLER_SEND, OrderState.WAIT_BUYER_CONFIRM)


class Order(models.Model):
    public_id = PublicIdField()
    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="orders")
    # Snapshot of the shop's kind at checkout: enterprise stores pay commission.
    shop_kind = models.CharField(max_length=12, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=OrderState.choices, default=OrderState.WAIT_BUYER_PAY
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    items_total = models.BigIntegerField(_("items (minor units)"))
    shipping_fee = models.BigIntegerField(_("shipping (minor units)"))
    total = models.BigIntegerField(_("total (minor units)"))
    # Money returned to the buyer so far; never more than the total (constraint).
    refunded = models.BigIntegerField(_("refunded (minor units)"), default=0)
    # Ship to: a village (or any place) of the places tree plus a street line.
    ship_to_place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    ship_to_street = models.CharField(_("street and house"), max_length=200)
    ship_to_name = models.CharField(_("recipient"), max_length=60)
    ship_to_phone = models.CharField(_("recipient's phone"), max_length=20)
    buyer_note = models.CharField(_("note to the seller"), max_length=300, blank=True)
    # The payment that paid this order (set when paid): refunds go back to its source.
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    waybill = models.CharField(_("waybill number"), max_length=40, blank=True)
    # Deadlines, swept by orders.tasks.sweep_deadlines (a worker that was down catches up).
    pay_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    auto_confirm_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirm_extended_days = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=300, blank=True)
    # Money paid out of escrow when the order finished: seller's share and commission.
    seller_amount = models.BigIntegerField(default=0)
    commission = models.BigIntegerField(default=0)
    # A purchase order placed for a drop-shipped sale: paid from, and completed with, the
    # buyer's order at the reselling shop (sourcing.dropship); its own buyer (the reseller)
    # neither confirms it nor asks refunds on it.
    settled_by_other_order = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("items_total") + F("shipping_fee")), name="order_total_sum"
            ),
            models.CheckConstraint(condition=Q(items_total__gt=0), name="order_items_positive"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="order_fee_nonneg"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=F("total")),
                name="order_refund_within_total",
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "state", "created_at"]),
            models.Index(fields=["shop", "state", "created_at"]),
            # The observatory sums a year of finished orders by shop: this index holds every
            # column it reads, so the year is a range scan of the index, never of the table.
            models.Index(
                fields=["finished_at", "shop", "currency", "total", "refunded", "state"],
                condition=Q(state="finished"),
                name="order_finished_sales",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def in_escrow(self) -> int:
        """What the platform holds for this order right now."""
        if self.state in ESCROW_STATES:
            return self.total - self.refunded
        return 0


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="order_lines")
    # Snapshots: what the buyer saw and paid, whatever the seller edits later.
    title = models.CharField(max_length=120)
    label = models.CharField(max_length=80)
    unit_price = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    commission_bp = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="order_line_price_pos"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title} · {self.label}"

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


class RefundKind(models.TextChoices):
    REFUND_ONLY = "refund_only", _("refund only (keep the goods)")
    RETURN_AND_REFUND = "return", _("return the goods and refund")


class RefundState(models.TextChoices):
    REQUESTED = "requested", _("waiting for the seller")
    AWAITING_RETURN = "await_return", _("agreed, waiting for the buyer to return the goods")
    RETURN_SHIPPED = "returned", _("goods sent back, waiting for the seller")
    DISPUTED = "disputed", _("disputed, an operator decides")
    REFUNDED = "refunded", _("refunded")
    REJECTED = "rejected", _("refused by the operator")
    CANCELLED = "cancelled", _("withdrawn by the buyer")


OPEN_REFUND_STATES = (
    RefundState.REQUESTED,
    RefundState.AWAITING_RETURN,
    RefundState.RETURN_SHIPPED,
    RefundState.DISPUTED,
)


class Refund(models.Model):
    """A buyer's request for money back, and what became of it."""

    public_id = PublicIdField()
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(_("kind"), max_length=12, choices=RefundKind.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=RefundState.choices, default=RefundState.REQUESTED
    )
    amount = models.BigIntegerField(_("amount asked (minor units)"))
    reason = models.CharField(_("reason"), max_length=500)
    # Set when money moved: may be less than asked after a dispute.
    amount_refunded = models.BigIntegerField(default=0)
    seller_answer = models.CharField(_("seller's answer"), max_length=500, blank=True)
    return_carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    return_waybill = models.CharField(_("waybill number"), max_length=40, blank=True)
    decision = models.CharField(_("operator's decision"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The next deadline of whoever must act (seller's answer, buyer's return, receipt).
    deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    # NULL, not "": rows without a key must not collide in the unique constraint.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=255, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="refund_paid_within_asked",
            ),
            # One open refund per order at a time.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(state__in=["requested", "await_return", "returned", "disputed"]),
                name="refund_one_open_per_order",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REFUND_STATES


class Evidence(models.Model):
    """What buyer and seller put before the operator: text and an optional photo."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="evidence")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("statement"), max_length=2000, blank=True)
    # Private: streamed by orders.views only to the buyer, the shop's staff and operators.
    photo = models.ImageField(
        _("photo"), upload_to="evidence/%Y/%m/", storage=private_storage, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"evidence {self.pk} on {self.refund_id}"


class OrderEvent(models.Model):
    """Every transition of an order or of its refund: who, when, from, to, why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    # None: the system (a deadline, a provider's webhook).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} → {self.to_state}"
