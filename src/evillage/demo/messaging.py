"""Demo conversations: each demo buyer has asked a few shops about a product, and the
shops answered, so the messenger and its unread counts have something to show."""

from collections.abc import Callable

from evillage.accounts.models import User
from evillage.messaging.models import Conversation
from evillage.messaging.services import (
    chat_settings_update,
    conversation_open,
    message_send,
    quick_reply_add,
)
from evillage.shops.models import Shop, ShopKind

SCRIPTS = {
    "CNY": [
        ("buyer", "你好，这个还有现货吗？"),
        ("shop", "亲，有现货的，今天下单明天发货。"),
        ("buyer", "能发到村里的服务站吗？"),
        ("shop", "可以的，中通和邮政都到镇上的服务站。"),
        ("buyer", "好的，谢谢！"),
    ],
    "IDR": [
        ("buyer", "Halo, apakah barang ini masih ada?"),
        ("shop", "Masih ada kak, dikirim besok pagi."),
        ("buyer", "Bisa dikirim ke agen desa?"),
    ],
}
AUTO_REPLY = {
    "CNY": "您好，客服暂时不在，看到消息后会第一时间回复您。",
    "IDR": "Halo, kami sedang tidak online. Pesan Anda akan kami balas secepatnya.",
}
QUICK_REPLIES = {
    "CNY": ["亲，在的，请问有什么可以帮您？", "48小时内发货，包邮到镇服务站。"],
    "IDR": ["Halo kak, ada yang bisa dibantu?", "Pesanan dikirim dalam 2 hari."],
}
SHOPS_PER_BUYER = 3


def seed_conversations(*, buyers: list[User], shops: list[Shop], say: Callable[[str], None]) -> int:
    """Conversations of each buyer with shops of their currency; idempotent."""
    count = 0
    retail = [s for s in shops if s.kind != ShopKind.SUPPLIER]
    for shop in retail:
        chat_settings_update(user=shop.owner, shop=shop, auto_reply=AUTO_REPLY[shop.currency])
        if not shop.quick_replies.exists():
            for text in QUICK_REPLIES[shop.currency]:
                quick_reply_add(user=shop.owner, shop=shop, text=text)
    for buyer in buyers:
        for shop in [s for s in retail if s.currency == _currency_of(buyer, retail)][
            :SHOPS_PER_BUYER
        ]:
            if Conversation.objects.filter(buyer=buyer, shop=shop).exists():
                continue
            say(f"conversation of {buyer.public_name} with {shop.name}")
            product = shop.products.order_by("pk").first()
            chat = conversation_open(user=buyer, shop=shop, product=product).conversation
            for side, text in SCRIPTS[shop.currency]:
                message_send(
                    user=buyer if side == "buyer" else shop.owner, conversation=chat, text=text
                )
            count += 1
    return count


def _currency_of(buyer: User, shops: list[Shop]) -> str:
    """The demo's second buyer shops in Indonesia; the first in China."""
    from evillage.orders.models import Order

    order = Order.objects.filter(buyer=buyer).order_by("pk").first()
    return order.currency if order else shops[0].currency
