"""The messenger: one conversation per buyer and shop, shared by the shop's service staff.

Read state is a high-water mark per side (`buyer_read_seq`, `shop_read_seq`): a message
is read by the other side when its `seq` is at or below that side's mark. Unread counts
are kept on the conversation and changed by conditional updates, so that the inbox and
the page header read one row per conversation, not a count over messages.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField
from evillage.core.storage import private_storage


class Side(models.TextChoices):
    BUYER = "buyer", _("buyer")
    SHOP = "shop", _("shop")


class Conversation(models.Model):
    public_id = PublicIdField()
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="conversations")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_seq = models.PositiveIntegerField(default=0)
    last_preview = models.CharField(max_length=120, blank=True)
    buyer_read_seq = models.PositiveIntegerField(default=0)
    shop_read_seq = models.PositiveIntegerField(default=0)
    buyer_unread = models.PositiveIntegerField(default=0)
    shop_unread = models.PositiveIntegerField(default=0)
    # When the shop's automatic reply last went out here: at most one per quiet spell.
    auto_replied_at = models.DateTimeField(null=True, blank=True)
    blocked_by_buyer = models.BooleanField(default=False)
    blocked_by_shop = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["buyer", "shop"], name="conversation_one_per_pair"),
            models.CheckConstraint(
                condition=Q(buyer_read_seq__lte=F("last_seq"))
                & Q(shop_read_seq__lte=F("last_seq")),
                name="conversation_read_within_messages",
            ),
        ]
        indexes = [models.Index(fields=["shop", "-last_message_at"])]

    def __str__(self) -> str:
        return f"{self.buyer} ↔ {self.shop}"

    def unread_for(self, side: str) -> int:
        return self.buyer_unread if side == Side.BUYER else self.shop_unread


class MessageKind(models.TextChoices):
    TEXT = "text", _("text")
    IMAGE = "image", _("image")
    PRODUCT = "product", _("product card")
    ORDER = "order", _("order card")


class Message(models.Model):
    public_id = PublicIdField()
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    side = models.CharField(max_length=5, choices=Side.choices)
    # Null for the shop's automatic reply (no person wrote it) and after account deletion.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.TEXT)
    text = models.TextField(blank=True)
    image = models.ImageField(upload_to="chat/%Y/%m/", storage=private_storage, blank=True)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_auto_reply = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when an operator removes a reported message: kept for the record, shown to nobody.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
        ]
        # Rate limits count a sender's recent messages.
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class QuickReply(models.Model):
    """A canned answer the shop's staff insert with one click."""

    shop = models.ForeignKey("shops.Shop", on_delete=models.CASCADE, related_name="quick_replies")
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:40]


class ChatSettings(models.Model):
    """A shop's messenger settings: the reply buyers get while nobody is online."""

    shop = models.OneToOneField(
        "shops.Shop", on_delete=models.CASCADE, related_name="chat_settings"
    )
    auto_reply = models.CharField(_("automatic reply when offline"), max_length=500, blank=True)
    # Staff are online while any of them has the messenger open (or used it recently).
    last_staff_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("messenger settings")
        verbose_name_plural = _("messenger settings")

    def __str__(self) -> str:
        return str(self.shop)


class ReportState(models.TextChoices):
    OPEN = "open", _("open")
    DISMISSED = "dismissed", _("dismissed")
    ACTIONED = "actioned", _("action taken")


class MessageReport(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.OPEN)
    note = models.CharField(_("operator's note"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reported message")
        verbose_name_plural = _("reported messages")
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"report on {self.message}"
