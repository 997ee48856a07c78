"""Reads for the messenger: who may see a conversation, inboxes, unread counts, search."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from evillage.accounts.models import User
from evillage.messaging.models import ChatSettings, Conversation, Message, Side
from evillage.shops.models import Shop, ShopStaff, StaffRole

# The roles that share a shop's inbox: customer service, and the owner who does everything.
INBOX_ROLES = (StaffRole.OWNER, StaffRole.CUSTOMER_SERVICE)
PAGE_SIZE = 50


def inbox_shop_ids(*, user: User) -> frozenset[int]:
    """The shops whose inbox the user shares."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        ShopStaff.objects.filter(user=user, role__in=INBOX_ROLES).values_list("shop_id", flat=True)
    )


def side_of(
    *, user: User, conversation: Conversation, shop_ids: frozenset[int] | None = None
) -> str:
    """The side the user speaks for in this conversation, or "" if they are not in it."""
    if not user.is_authenticated:
        return ""
    if conversation.buyer_id == user.pk:
        return Side.BUYER
    if shop_ids is None:
        shop_ids = inbox_shop_ids(user=user)
    return Side.SHOP if conversation.shop_id in shop_ids else ""


def inbox_shops(*, user: User) -> list[Shop]:
    return list(Shop.objects.filter(pk__in=inbox_shop_ids(user=user)).order_by("name"))


@dataclass(frozen=True)
class SeenConversation:
    conversation: Conversation
    side: str

    @property
    def unread(self) -> int:
        return self.conversation.unread_for(self.side)

    @property
    def other_name(self) -> str:
        if self.side == Side.BUYER:
            return self.conversation.shop.name
        return self.conversation.buyer.public_name


def conversation_for(*, user: User, public_id: str) -> SeenConversation | None:
    """The conversation if the user is its buyer or shares its shop's inbox; else None, so
    that someone else's conversation does not show that it exists."""
    conversation = (
        Conversation.objects.select_related("shop", "buyer").filter(public_id=public_id).first()
    )
    if conversation is None:
        return None
    side = side_of(user=user, conversation=conversation)
    return SeenConversation(conversation, side) if side else None


def _mine(user: User, shop_ids: frozenset[int]) -> Q:
    return Q(buyer=user) | Q(shop_id__in=shop_ids)


def conversations_of(*, user: User, shop_id: int | None = None) -> list[SeenConversation]:
    """The user's conversations, newest activity first: as a buyer and in every shop inbox
    they share (or only one shop's when `shop_id` is given)."""
    shop_ids = inbox_shop_ids(user=user)
    if shop_id is not None:
        where = Q(shop_id=shop_id) if shop_id in shop_ids else Q(pk__in=[])
    else:
        where = _mine(user, shop_ids)
    rows = (
        Conversation.objects.filter(where)
        .select_related("shop", "buyer")
        .order_by("-last_message_at", "-pk")[:200]
    )
    return [
        SeenConversation(c, side_of(user=user, conversation=c, shop_ids=shop_ids)) for c in rows
    ]


def unread_total(*, user: User) -> int:
    """Unread messages over all the user's conversations: two sums in one query."""
    if not user.is_authenticated:
        return 0
    shop_ids = inbox_shop_ids(user=user)
    sums = Conversation.objects.filter(_mine(user, shop_ids)).aggregate(
        as_buyer=Sum("buyer_unread", filter=Q(buyer=user)),
        as_shop=Sum("shop_unread", filter=Q(shop_id__in=shop_ids) & ~Q(buyer=user)),
    )
    return (sums["as_buyer"] or 0) + (sums["as_shop"] or 0)


def messages_of(
    *, conversation: Conversation, after: int = 0, before: int | None = None, limit: int = PAGE_SIZE
) -> list[Message]:
    """Messages in order: those after `after`, or the last `limit` before `before`."""
    rows = conversation.messages.filter(seq__gt=after).select_related(
        "sender", "product__shop", "order"
    )
    if before is not None:
        rows = rows.filter(seq__lt=before)
    if after:
        return list(rows.order_by("seq")[:limit])
    return list(reversed(rows.order_by("-seq")[:limit]))


def message_search(*, user: User, query: str, limit: int = 50) -> QuerySet[Message]:
    """The user's messages whose text contains the query, newest first."""
    shop_ids = inbox_shop_ids(user=user)
    return (
        Message.objects.filter(
            Q(conversation__buyer=user) | Q(conversation__shop_id__in=shop_ids),
            text__icontains=query,
            removed_at__isnull=True,
        )
        .select_related("conversation__shop", "conversation__buyer")
        .order_by("-created_at", "-pk")[:limit]
    )


def message_image_for(*, user: User, name: str) -> Message | None:
    """The message holding this image, if the user is in its conversation."""
    message = (
        Message.objects.select_related("conversation")
        .filter(image=name, removed_at__isnull=True)
        .first()
    )
    if message is None or not side_of(user=user, conversation=message.conversation):
        return None
    return message


def chat_settings_of(*, shop_id: int) -> ChatSettings | None:
    return ChatSettings.objects.filter(shop_id=shop_id).first()


def export_of(*, user: User) -> dict:
    """Everything the user can read in the messenger, as plain data (their export)."""
    seen = conversations_of(user=user)
    conversations = []
    for item in seen:
        c = item.conversation
        conversations.append(
            {
                "id": c.public_id,
                "as": item.side,
                "shop": c.shop.name,
                "buyer": c.buyer.public_name,
                "messages": [
                    {
                        "id": m.public_id,
                        "seq": m.seq,
                        "from": m.side,
                        "kind": m.kind,
                        "text": m.text if m.removed_at is None else "",
                        "removed": m.removed_at is not None,
                        "auto_reply": m.is_auto_reply,
                        "at": m.created_at.isoformat(),
                    }
                    for m in c.messages.order_by("seq")
                ],
            }
        )
    return {"user": user.public_name, "conversations": conversations}
