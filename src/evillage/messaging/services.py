"""Writes for the messenger: open conversations, send, read, block, report, shop settings.

Sending locks the conversation row (one writer per conversation at a time), takes the
next `seq`, stores the message and moves the read marks and unread counters in the same
transaction; delivery to connected clients happens after commit (realtime module).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.catalog.models import Product
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.core.images import process_attachment
from evillage.messaging import realtime
from evillage.messaging.models import (
    ChatSettings,
    Conversation,
    Message,
    MessageKind,
    MessageReport,
    QuickReply,
    ReportState,
    Side,
)
from evillage.messaging.selectors import inbox_shop_ids, side_of
from evillage.orders.models import Order
from evillage.shops.models import Shop, ShopStatus

MAX_TEXT = 2000
MAX_QUICK_REPLIES = 20
PREVIEW_LENGTH = 120


class TooManyMessages(ValidationFailed):
    status = 429
    default_code = "rate_limited"


def _check_text(text: str, *, limit: int = MAX_TEXT, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write a message first."), code="message_empty", field=field)
    if len(text) > limit:
        raise ValidationFailed(
            _("A message can be at most %(limit)d characters long.") % {"limit": limit},
            code="message_too_long",
            field=field,
        )
    return text


def _check_rate(*, sender: User, now) -> None:
    """Refuse a sender over the per-minute or per-hour limit (counted in the database,
    so the limit holds across every server process; one query)."""
    counts = Message.objects.filter(
        sender=sender, created_at__gt=now - timedelta(hours=1)
    ).aggregate(
        hour=Count("pk"), minute=Count("pk", filter=Q(created_at__gt=now - timedelta(minutes=1)))
    )
    if counts["minute"] >= settings.MESSENGER_MAX_PER_MINUTE:
        raise TooManyMessages(
            _("You are sending messages too fast. Wait a minute and try again."),
            details={"retry_after": 60},
        )
    if counts["hour"] >= settings.MESSENGER_MAX_PER_HOUR:
        raise TooManyMessages(
            _("You have sent too many messages this hour. Try again later."),
            details={"retry_after": 3600},
        )


def _check_may_open(*, buyer: User, shop: Shop) -> None:
    if shop.status != ShopStatus.OPEN:
        raise Conflict(_("This shop is not open."), code="shop_not_open")
    if shop.pk in inbox_shop_ids(user=buyer) or shop.owner_id == buyer.pk:
        raise PermissionDenied(
            _("You cannot start a conversation with your own shop."), code="own_shop"
        )


def _new_conversations_today(buyer: User, now) -> int:
    return Conversation.objects.filter(buyer=buyer, created_at__gt=now - timedelta(days=1)).count()


def _get_or_create(*, buyer: User, shop: Shop) -> tuple[Conversation, bool]:
    existing = Conversation.objects.filter(buyer=buyer, shop=shop).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    if _new_conversations_today(buyer, now) >= settings.MESSENGER_NEW_CONVERSATIONS_PER_DAY:
        raise TooManyMessages(
            _("You have started too many new conversations today. Try again tomorrow."),
            details={"retry_after": 86400},
        )
    try:
        with transaction.atomic():
            return Conversation.objects.create(buyer=buyer, shop=shop), True
    except IntegrityError:
        # Opened at the same moment by another request (a double click): use that one.
        return Conversation.objects.get(buyer=buyer, shop=shop), False


@dataclass(frozen=True)
class Opened:
    conversation: Conversation
    side: str
    created: bool


def conversation_open(
    *, user: User, shop: Shop, product: Product | None = None, order: Order | None = None
) -> Opened:
    """The buyer's conversation with a shop, created on first use. With a product (of that
    shop) or an order (of that buyer and shop) its card is posted, unless the last card in
    the conversation already shows it."""
    if product is not None and product.shop_id != shop.pk:
        raise ValidationFailed(_("This product is not sold by this shop."), code="wrong_product")
    if order is not None and (order.shop_id != shop.pk or order.buyer_id != user.pk):
        raise NotFound(_("Order not found."), code="order_not_found")
    _check_may_open(buyer=user, shop=shop)
    conversation, created = _get_or_create(buyer=user, shop=shop)
    if product is not None:
        _post_card(conversation=conversation, sender=user, side=Side.BUYER, product=product)
    elif order is not None:
        _post_card(conversation=conversation, sender=user, side=Side.BUYER, order=order)
    return Opened(conversation, Side.BUYER, created)


def conversation_open_for_order(*, user: User, order: Order) -> Opened:
    """From an order page: the buyer opens the chat with the shop, or one of the shop's
    service staff opens it with the buyer; either way the order card is attached."""
    if order.buyer_id == user.pk:
        return conversation_open(user=user, shop=order.shop, order=order)
    if order.shop_id not in inbox_shop_ids(user=user):
        raise NotFound(_("Order not found."), code="order_not_found")
    try:
        with transaction.atomic():
            conversation, created = Conversation.objects.get_or_create(
                buyer_id=order.buyer_id, shop_id=order.shop_id
            )
    except IntegrityError:
        conversation, created = (
            Conversation.objects.get(buyer_id=order.buyer_id, shop_id=order.shop_id),
            False,
        )
    _post_card(conversation=conversation, sender=user, side=Side.SHOP, order=order)
    return Opened(conversation, Side.SHOP, created)


def _post_card(
    *,
    conversation: Conversation,
    sender: User,
    side: str,
    product: Product | None = None,
    order: Order | None = None,
) -> None:
    last_card = (
        conversation.messages.filter(kind__in=[MessageKind.PRODUCT, MessageKind.ORDER])
        .order_by("-seq")
        .values("product_id", "order_id")
        .first()
    )
    wanted = {
        "product_id": product.pk if product else None,
        "order_id": order.pk if order else None,
    }
    if last_card == wanted:
        return
    kind = MessageKind.PRODUCT if product is not None else MessageKind.ORDER
    title = product.title if product is not None else order.public_id
    _append(
        conversation=conversation,
        sender=sender,
        side=side,
        kind=kind,
        text=title,
        product=product,
        order=order,
    )


def _other(side: str) -> str:
    return Side.SHOP if side == Side.BUYER else Side.BUYER


def _preview(kind: str, text: str) -> str:
    if kind == MessageKind.IMAGE:
        return _("[Photo]")
    if kind == MessageKind.PRODUCT:
        return _("[Product] %(title)s") % {"title": text}
    if kind == MessageKind.ORDER:
        return _("[Order] %(id)s") % {"id": text}
    return text[:PREVIEW_LENGTH]


def _append(
    *,
    conversation: Conversation,
    sender: User | None,
    side: str,
    kind: str,
    text: str = "",
    image=None,
    product: Product | None = None,
    order: Order | None = None,
    auto: bool = False,
) -> list[Message]:
    """Store one message (and perhaps the shop's automatic reply) under the row lock."""
    with transaction.atomic():
        # The shop and buyer come along for the realtime payload; only this row is locked.
        locked = (
            Conversation.objects.select_related("shop", "buyer")
            .select_for_update(of=("self",))
            .get(pk=conversation.pk)
        )
        if side == Side.BUYER and locked.blocked_by_shop:
            raise PermissionDenied(_("This shop does not accept your messages."), code="blocked")
        if side == Side.SHOP and locked.blocked_by_buyer:
            raise PermissionDenied(_("This buyer does not accept your messages."), code="blocked")
        now = timezone.now()
        message = _store(locked, sender, side, kind, text, image, product, order, auto, now)
        created = [message]
        if side == Side.BUYER and kind != MessageKind.PRODUCT and kind != MessageKind.ORDER:
            reply = _auto_reply(locked, now)
            if reply is not None:
                created.append(reply)
        realtime.publish_messages(created)
    return created


def _store(locked, sender, side, kind, text, image, product, order, auto, now) -> Message:
    seq = locked.last_seq + 1
    message = Message(
        conversation=locked,
        seq=seq,
        side=side,
        sender=sender,
        kind=kind,
        text=text,
        product=product,
        order=order,
        is_auto_reply=auto,
        created_at=now,
    )
    if image is not None:
        message.image.save("photo.jpg", image, save=False)
    message.save()
    # The sender has read everything up to their own message; the other side has one more.
    read_mark, unread = (
        ("buyer_read_seq", "shop_unread")
        if side == Side.BUYER
        else ("shop_read_seq", "buyer_unread")
    )
    own_unread = "buyer_unread" if side == Side.BUYER else "shop_unread"
    changes = {
        "last_seq": seq,
        "last_message_at": now,
        "last_preview": _preview(kind, text),
        read_mark: seq,
        unread: F(unread) + 1,
        own_unread: 0,
    }
    if auto:  # an automatic reply reads nothing on the shop's behalf
        changes.pop(read_mark)
        changes.pop(own_unread)
    Conversation.objects.filter(pk=locked.pk).update(**changes)
    locked.last_seq = seq
    message.conversation = locked
    return message


def _auto_reply(locked: Conversation, now) -> Message | None:
    """The shop's automatic reply, when no staff member is online and none went out in
    this conversation during the last quiet spell."""
    chat = ChatSettings.objects.filter(shop_id=locked.shop_id).first()
    if chat is None or not chat.auto_reply:
        return None
    online_since = now - timedelta(seconds=settings.MESSENGER_STAFF_ONLINE_SECONDS)
    if chat.last_staff_seen_at and chat.last_staff_seen_at > online_since:
        return None
    quiet = timedelta(minutes=settings.MESSENGER_AUTO_REPLY_QUIET_MINUTES)
    if locked.auto_replied_at and locked.auto_replied_at > now - quiet:
        return None
    Conversation.objects.filter(pk=locked.pk).update(auto_replied_at=now)
    return _store(
        locked, None, Side.SHOP, MessageKind.TEXT, chat.auto_reply, None, None, None, True, now
    )


def _side_or_refuse(user: User, conversation: Conversation) -> str:
    side = side_of(user=user, conversation=conversation)
    if not side:
        raise NotFound(_("Conversation not found."), code="conversation_not_found")
    return side


def message_send(
    *, user: User, conversation: Conversation, text: str = "", image=None
) -> list[Message]:
    """Send text, a photo, or both (text first) as the user's side of the conversation.
    Returns what was stored: the messages, and the shop's automatic reply if one went out.
    Everything is checked before anything is stored."""
    side = _side_or_refuse(user, conversation)
    now = timezone.now()
    content = None
    if image is not None:
        try:
            content = process_attachment(image)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, code=exc.code, field="image") from None
        text = (text or "").strip()
        if text:
            text = _check_text(text)
    else:
        text = _check_text(text)
    _check_rate(sender=user, now=now)
    if side == Side.SHOP:
        staff_seen(shop_id=conversation.shop_id, now=now)
    created: list[Message] = []
    if text:
        created += _append(
            conversation=conversation, sender=user, side=side, kind=MessageKind.TEXT, text=text
        )
    if content is not None:
        created += _append(
            conversation=conversation, sender=user, side=side, kind=MessageKind.IMAGE, image=content
        )
    return created


def conversation_mark_read(*, user: User, conversation: Conversation) -> int:
    """Mark everything in the conversation read for the user's side; tells the other side
    (read receipt). Returns the seq read up to."""
    side = _side_or_refuse(user, conversation)
    mark, unread = (
        ("buyer_read_seq", "buyer_unread")
        if side == Side.BUYER
        else ("shop_read_seq", "shop_unread")
    )
    if side == Side.SHOP:
        staff_seen(shop_id=conversation.shop_id)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if getattr(locked, mark) == locked.last_seq and locked.unread_for(side) == 0:
            return locked.last_seq
        Conversation.objects.filter(pk=locked.pk).update(**{mark: locked.last_seq, unread: 0})
        realtime.publish_read(conversation=locked, side=side, seq=locked.last_seq)
    conversation.refresh_from_db()
    return locked.last_seq


def conversation_block(*, user: User, conversation: Conversation, blocked: bool = True) -> None:
    """The user's side stops (or starts again) accepting messages from the other side."""
    side = _side_or_refuse(user, conversation)
    field = "blocked_by_buyer" if side == Side.BUYER else "blocked_by_shop"
    Conversation.objects.filter(pk=conversation.pk).update(**{field: blocked})
    setattr(conversation, field, blocked)


def message_report(*, user: User, message: Message, reason: str) -> MessageReport:
    """Report a message of the other side to the operators."""
    side = _side_or_refuse(user, message.conversation)
    if message.side == side:
        raise ValidationFailed(
            _("You can only report messages the other side sent."), code="own_message"
        )
    reason = _check_text(reason, limit=500, field="reason")
    try:
        with transaction.atomic():
            return MessageReport.objects.create(message=message, reporter=user, reason=reason)
    except IntegrityError:
        raise Conflict(
            _("You have already reported this message."), code="already_reported"
        ) from None


def report_handle(*, operator: User, report: MessageReport, remove: bool, note: str = "") -> None:
    """An operator closes a report: dismiss it, or remove the message (kept for the
    record, shown to nobody)."""
    now = timezone.now()
    with transaction.atomic():
        changed = MessageReport.objects.filter(pk=report.pk, state=ReportState.OPEN).update(
            state=ReportState.ACTIONED if remove else ReportState.DISMISSED,
            note=note[:500],
            handled_by=operator,
            handled_at=now,
        )
        if not changed:
            raise Conflict(_("This report is already closed."), code="report_closed")
        if remove:
            Message.objects.filter(pk=report.message_id, removed_at__isnull=True).update(
                removed_at=now
            )
    report.refresh_from_db()


def staff_seen(*, shop_id: int, now=None) -> None:
    """A staff member of the shop is at the messenger: no automatic replies for a while.
    Writes at most once every few seconds per shop."""
    now = now or timezone.now()
    chat, _created = ChatSettings.objects.get_or_create(shop_id=shop_id)
    if chat.last_staff_seen_at is None or (now - chat.last_staff_seen_at).total_seconds() > 15:
        ChatSettings.objects.filter(pk=chat.pk).update(last_staff_seen_at=now)


def _check_inbox_staff(user: User, shop: Shop) -> None:
    if shop.pk not in inbox_shop_ids(user=user):
        raise PermissionDenied(
            _("Only the shop's owner and customer service can do this."), code="not_shop_staff"
        )


def chat_settings_update(*, user: User, shop: Shop, auto_reply: str) -> ChatSettings:
    _check_inbox_staff(user, shop)
    auto_reply = (auto_reply or "").strip()
    if len(auto_reply) > 500:
        raise ValidationFailed(
            _("The automatic reply can be at most 500 characters long."),
            code="message_too_long",
            field="auto_reply",
        )
    chat, _created = ChatSettings.objects.get_or_create(shop=shop)
    chat.auto_reply = auto_reply
    chat.save(update_fields=["auto_reply"])
    return chat


def quick_reply_add(*, user: User, shop: Shop, text: str) -> QuickReply:
    _check_inbox_staff(user, shop)
    text = _check_text(text, limit=500)
    if shop.quick_replies.count() >= MAX_QUICK_REPLIES:
        raise ValidationFailed(
            _("A shop can keep at most %(n)d quick replies.") % {"n": MAX_QUICK_REPLIES},
            code="too_many_quick_replies",
            field="text",
        )
    return QuickReply.objects.create(shop=shop, text=text)


def quick_reply_remove(*, user: User, reply: QuickReply) -> None:
    _check_inbox_staff(user, reply.shop)
    reply.delete()
