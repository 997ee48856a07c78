"""The messenger over HTTP: conversations, messages, read marks, blocking, reports, and a
shop's quick replies and automatic reply. Realtime delivery is the WebSocket
/ws/messenger/ (docs/api.md); everything here works without it."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from evillage.accounts.api_auth import USER_AUTH
from evillage.catalog.selectors import product_visible_to
from evillage.core.api_schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut
from evillage.core.errors import NotFound
from evillage.messaging import selectors, services
from evillage.messaging.models import Message, QuickReply, Side
from evillage.messaging.realtime import image_url
from evillage.orders.selectors import order_for
from evillage.shops.selectors import shop_by_public_id

router = Router(tags=["messenger"], auth=USER_AUTH)
READS = frozenset({401, *READ_ERRORS})
WRITES = frozenset({429, *WRITE_ERRORS})


class ConversationOut(Schema):
    id: str
    shop_id: str
    shop_name: str
    buyer_name: str
    side: str = Field(description="The side you speak for: buyer, or shop (as its staff).")
    unread: int
    last_message_at: datetime
    last_preview: str
    you_blocked: bool
    they_blocked: bool

    @staticmethod
    def of(seen: selectors.SeenConversation) -> "ConversationOut":
        c = seen.conversation
        mine, theirs = (
            (c.blocked_by_buyer, c.blocked_by_shop)
            if seen.side == Side.BUYER
            else (c.blocked_by_shop, c.blocked_by_buyer)
        )
        return ConversationOut(
            id=c.public_id,
            shop_id=c.shop.public_id,
            shop_name=c.shop.name,
            buyer_name=c.buyer.public_name,
            side=seen.side,
            unread=seen.unread,
            last_message_at=c.last_message_at,
            last_preview=c.last_preview,
            you_blocked=mine,
            they_blocked=theirs,
        )


class CardOut(Schema):
    kind: str
    id: str
    title: str
    state: str = ""


class MessageOut(Schema):
    id: str
    seq: int
    side: str
    kind: str
    text: str
    image: str = Field("", description="URL of the photo (only the two sides may load it).")
    card: CardOut | None = None
    auto_reply: bool
    removed: bool
    read_by_other_side: bool
    created_at: datetime

    @staticmethod
    def of(message: Message, other_read_seq: int) -> "MessageOut":
        card = None
        if message.product_id and message.product:
            card = CardOut(
                kind="product", id=message.product.public_id, title=message.product.title
            )
        elif message.order_id and message.order:
            card = CardOut(
                kind="order",
                id=message.order.public_id,
                title=message.order.public_id,
                state=message.order.state,
            )
        removed = message.removed_at is not None
        return MessageOut(
            id=message.public_id,
            seq=message.seq,
            side=message.side,
            kind=message.kind,
            text="" if removed else message.text,
            image="" if removed else image_url(message),
            card=None if removed else card,
            auto_reply=message.is_auto_reply,
            removed=removed,
            read_by_other_side=message.seq <= other_read_seq,
            created_at=message.created_at,
        )


class OpenIn(Schema):
    shop: str | None = Field(None, description="The shop's id (with an optional product).")
    product: str | None = None
    order: str | None = Field(None, description="Or an order's id: its card is attached.")


class TextIn(Schema):
    text: str = Field(max_length=services.MAX_TEXT)


class ReportIn(Schema):
    reason: str = Field(max_length=500)


class UnreadOut(Schema):
    unread: int


class QuickReplyOut(Schema):
    id: int
    text: str


class ChatSettingsIn(Schema):
    auto_reply: str = Field("", max_length=500)


class ChatSettingsOut(Schema):
    auto_reply: str


def _seen(request: HttpRequest, conversation_id: str) -> selectors.SeenConversation:
    seen = selectors.conversation_for(user=request.auth, public_id=conversation_id)
    if seen is None:
        raise NotFound(_("Conversation not found."), code="conversation_not_found")
    return seen


def _other_read(seen: selectors.SeenConversation) -> int:
    c = seen.conversation
    return c.shop_read_seq if seen.side == Side.BUYER else c.buyer_read_seq


def _inbox_shop(request: HttpRequest, shop_id: str):
    shop = shop_by_public_id(public_id=shop_id)
    if shop is None or shop.pk not in selectors.inbox_shop_ids(user=request.auth):
        raise NotFound(_("Shop not found."), code="shop_not_found")
    return shop


@router.get("/conversations", response={200: list[ConversationOut], READS: ErrorOut})
def conversations_list(request, shop: str | None = None):
    """Your conversations, newest activity first: as a buyer, and in every shop inbox you
    share (only that shop's with `shop`)."""
    shop_id = _inbox_shop(request, shop).pk if shop else None
    rows = selectors.conversations_of(user=request.auth, shop_id=shop_id)
    return [ConversationOut.of(row) for row in rows]


@router.post(
    "/conversations", response={200: ConversationOut, 201: ConversationOut, WRITES: ErrorOut}
)
def conversation_open_op(request, payload: OpenIn):
    """Open (or return to) your conversation with a shop, attaching a product or an order
    card. 201 when it is new. Shop staff open the one with an order's buyer by `order`."""
    if payload.order:
        order = order_for(user=request.auth, public_id=payload.order)
        if order is None:
            raise NotFound(_("Order not found."), code="order_not_found")
        opened = services.conversation_open_for_order(user=request.auth, order=order)
    else:
        shop = shop_by_public_id(public_id=payload.shop or "")
        if shop is None:
            raise NotFound(_("Shop not found."), code="shop_not_found")
        product = None
        if payload.product:
            product = product_visible_to(user=request.auth, public_id=payload.product)
            if product is None:
                raise NotFound(_("Product not found."), code="product_not_found")
        opened = services.conversation_open(user=request.auth, shop=shop, product=product)
    seen = selectors.conversation_for(user=request.auth, public_id=opened.conversation.public_id)
    return Status(201 if opened.created else 200, ConversationOut.of(seen))


@router.get("/conversations/{conversation_id}", response={200: ConversationOut, READS: ErrorOut})
def conversation_get(request, conversation_id: str):
    return ConversationOut.of(_seen(request, conversation_id))


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: list[MessageOut], READS: ErrorOut},
)
def messages_list(
    request,
    conversation_id: str,
    after: int = 0,
    before: int | None = None,
    limit: int = Query(50, ge=1, le=100),
):
    """Messages in order: those after `after` (a seq), else the last `limit` before
    `before` (for older pages). Reading does not mark them read: POST .../read does."""
    seen = _seen(request, conversation_id)
    rows = selectors.messages_of(
        conversation=seen.conversation, after=after, before=before, limit=limit
    )
    other = _other_read(seen)
    return [MessageOut.of(m, other) for m in rows]


def _sent(seen: selectors.SeenConversation, created: list[Message]) -> list[MessageOut]:
    seen.conversation.refresh_from_db()
    return [MessageOut.of(m, _other_read(seen)) for m in created]


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: list[MessageOut], WRITES: ErrorOut},
)
def message_send_op(request, conversation_id: str, payload: TextIn):
    """Send a text message. The answer lists what was stored: your message, and the shop's
    automatic reply when one went out. 429 `rate_limited` when sending too fast."""
    seen = _seen(request, conversation_id)
    created = services.message_send(
        user=request.auth, conversation=seen.conversation, text=payload.text
    )
    return Status(201, _sent(seen, created))


@router.post(
    "/conversations/{conversation_id}/images",
    response={201: list[MessageOut], WRITES: ErrorOut},
)
def image_send_op(request, conversation_id: str, image: File[UploadedFile], text: Form[str] = ""):
    """Send a photo (JPEG, PNG, WebP or GIF; re-encoded, metadata removed), with optional
    text sent first."""
    seen = _seen(request, conversation_id)
    created = services.message_send(
        user=request.auth, conversation=seen.conversation, text=text, image=image
    )
    return Status(201, _sent(seen, created))


@router.post(
    "/conversations/{conversation_id}/read", response={200: ConversationOut, WRITES: ErrorOut}
)
def conversation_read_op(request, conversation_id: str):
    """Mark everything read for your side; the other side sees its read receipts."""
    seen = _seen(request, conversation_id)
    services.conversation_mark_read(user=request.auth, conversation=seen.conversation)
    return ConversationOut.of(_seen(request, conversation_id))


@router.post(
    "/conversations/{conversation_id}/block", response={200: ConversationOut, WRITES: ErrorOut}
)
def conversation_block_op(request, conversation_id: str):
    """Stop receiving messages from the other side here."""
    seen = _seen(request, conversation_id)
    services.conversation_block(user=request.auth, conversation=seen.conversation)
    return ConversationOut.of(_seen(request, conversation_id))


@router.delete(
    "/conversations/{conversation_id}/block", response={200: ConversationOut, WRITES: ErrorOut}
)
def conversation_unblock_op(request, conversation_id: str):
    seen = _seen(request, conversation_id)
    services.conversation_block(user=request.auth, conversation=seen.conversation, blocked=False)
    return ConversationOut.of(_seen(request, conversation_id))


@router.post("/messages/{message_id}/report", response={201: None, WRITES: ErrorOut})
def message_report_op(request, message_id: str, payload: ReportIn):
    """Report a message the other side sent; operators review reports in the admin."""
    message = Message.objects.select_related("conversation").filter(public_id=message_id).first()
    if message is None or not selectors.side_of(
        user=request.auth, conversation=message.conversation
    ):
        raise NotFound(_("Message not found."), code="message_not_found")
    services.message_report(user=request.auth, message=message, reason=payload.reason)
    return Status(201, None)


@router.get("/messenger/unread", response={200: UnreadOut, READS: ErrorOut})
def unread_op(request):
    """Unread messages over all your conversations (the header's count)."""
    return UnreadOut(unread=selectors.unread_total(user=request.auth))


@router.get("/messenger/search", response={200: list[MessageOut], READS: ErrorOut})
def search_op(request, q: str = Query(..., min_length=1, max_length=100)):
    """Your messages containing `q`, newest first (at most 50)."""
    rows = selectors.message_search(user=request.auth, query=q)
    return [MessageOut.of(m, 0) for m in rows]


@router.get("/messenger/export", response={200: dict, READS: ErrorOut})
def export_op(request):
    """Every conversation you can read, with all its messages, as one JSON document."""
    return selectors.export_of(user=request.auth)


@router.get("/shops/{shop_id}/quick-replies", response={200: list[QuickReplyOut], READS: ErrorOut})
def quick_replies_list(request, shop_id: str):
    shop = _inbox_shop(request, shop_id)
    return [QuickReplyOut(id=r.pk, text=r.text) for r in QuickReply.objects.filter(shop=shop)]


@router.post("/shops/{shop_id}/quick-replies", response={201: QuickReplyOut, WRITES: ErrorOut})
def quick_reply_add_op(request, shop_id: str, payload: TextIn):
    reply = services.quick_reply_add(
        user=request.auth, shop=_inbox_shop(request, shop_id), text=payload.text
    )
    return Status(201, QuickReplyOut(id=reply.pk, text=reply.text))


@router.delete("/shops/{shop_id}/quick-replies/{reply_id}", response={204: None, WRITES: ErrorOut})
def quick_reply_remove_op(request, shop_id: str, reply_id: int):
    shop = _inbox_shop(request, shop_id)
    reply = QuickReply.objects.filter(shop=shop, pk=reply_id).first()
    if reply is None:
        raise NotFound(_("Quick reply not found."), code="quick_reply_not_found")
    services.quick_reply_remove(user=request.auth, reply=reply)
    return Status(204, None)


@router.put("/shops/{shop_id}/chat-settings", response={200: ChatSettingsOut, WRITES: ErrorOut})
def chat_settings_op(request, shop_id: str, payload: ChatSettingsIn):
    """The automatic reply buyers get while nobody of the shop is online ("" for none)."""
    chat = services.chat_settings_update(
        user=request.auth, shop=_inbox_shop(request, shop_id), auto_reply=payload.auto_reply
    )
    return ChatSettingsOut(auto_reply=chat.auto_reply)
