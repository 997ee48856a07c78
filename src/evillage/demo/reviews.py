"""Demo reviews: the demo buyers' finished orders get reviews, and a few neighbours buy
from the first shops of each country and review them too, so that shop pages, product
pages and listings show seller credit, good-review rates and detailed ratings.

Everything goes through the real services (top-up settled as its webhook would, wallet
payment, shipment, confirmation, review, reply, follow-up), so the books stay balanced.
Deterministic (seeded by names) and idempotent: a second run finds the neighbours'
orders and the reviews and adds nothing.
"""

import random
from collections.abc import Callable

from evillage.accounts import services as accounts
from evillage.accounts.models import User
from evillage.accounts.selectors import user_find_by_login
from evillage.catalog.models import ProductStatus, Sku
from evillage.orders.models import Order, OrderLine, OrderState
from evillage.orders.services import lifecycle
from evillage.orders.services.checkout import CheckoutItem, ShipTo, checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.payments.services import payment_succeed, topup_start
from evillage.reviews.services import review_create, review_follow_up, review_reply
from evillage.shops.models import Shop, ShopKind

# (phone, display name, reviews anonymously)
NEIGHBOURS = {
    "CNY": [
        ("+8613900000101", "张丽", False),
        ("+8613900000102", "李强", True),
        ("+8613900000103", "王芳", False),
        ("+8613900000104", "赵磊", False),
        ("+8613900000105", "陈晨", True),
    ],
    "IDR": [
        ("+6281300000101", "Siti Rahayu", False),
        ("+6281300000102", "Budi Santoso", True),
        ("+6281300000103", "Rina Wulandari", False),
        ("+6281300000104", "Agus Setiawan", False),
    ],
}
# How many shops of each currency the neighbours buy from; the first two get two items.
SHOPS_BOUGHT_FROM = {"CNY": 8, "IDR": 3}

TEXTS = {
    "CNY": {
        "good": [
            "质量很好，和描述的一样，物流也快。",
            "做工扎实，包装很用心，下次还来。",
            "性价比高，卖家服务态度好，推荐！",
            "已经第二次买了，一如既往的好。",
            "",
        ],
        "neutral": ["东西还可以，就是发货有点慢。", "一般般，颜色和图片有点差别。"],
        "bad": ["收到时包装破了，有划痕，联系客服很久才回复。", "尺寸不对，和描述不符。"],
        "followup": "用了一个月，没有问题，依然推荐。",
        "reply_good": "感谢亲的支持，欢迎再次光临！",
        "reply_other": "非常抱歉给您带来不便，已私信您安排补发/退款。",
    },
    "IDR": {
        "good": [
            "Kualitas bagus, sesuai deskripsi, pengiriman cepat.",
            "Jahitan rapi, bahan adem. Terima kasih!",
            "Penjual ramah, barang sampai dengan aman.",
            "",
        ],
        "neutral": ["Lumayan, tapi warnanya sedikit beda dari foto."],
        "bad": ["Paket datang terlambat dan kainnya ada noda."],
        "followup": "Sudah dipakai sebulan, warnanya tidak luntur. Tetap rekomendasi.",
        "reply_good": "Terima kasih, ditunggu pesanan berikutnya!",
        "reply_other": "Mohon maaf, kami akan kirim pengganti.",
    },
}


def seed_reviews(*, say: Callable[[str], None] = lambda _: None) -> int:
    """Review the demo's finished orders and add the neighbours' reviewed purchases;
    returns how many reviews were added."""
    from evillage.demo.seeding import BUYER_EMAILS, DEMO_PASSWORD  # seeding imports us

    added = 0
    retail = Shop.objects.exclude(kind=ShopKind.SUPPLIER).select_related("owner", "village")
    for currency, people in NEIGHBOURS.items():
        shops = list(retail.filter(currency=currency).order_by("pk")[: SHOPS_BOUGHT_FROM[currency]])
        if not shops:
            continue
        for phone, name, anonymous in people:
            buyer = user_find_by_login(login=phone)
            if buyer is None:
                buyer = accounts.user_register(
                    phone=phone, email=None, password=DEMO_PASSWORD, display_name=name
                )
            if not Order.objects.filter(buyer=buyer).exists():
                say(f"reviews of {name}")
                _buy_and_confirm(buyer, shops, currency)
            added += _review_orders(buyer, currency, anonymous=anonymous)
    for email in BUYER_EMAILS:
        buyer = user_find_by_login(login=email)
        if buyer is not None:
            currency = "IDR" if email.startswith("pembeli") else "CNY"
            added += _review_orders(buyer, currency, anonymous=False)
    return added


def _skus(shop: Shop, count: int) -> list[Sku]:
    """`count` SKUs of different products with stock to spare."""
    skus = (
        Sku.objects.select_related("product__shop")
        .filter(
            product__shop=shop,
            product__status=ProductStatus.ACTIVE,
            is_active=True,
            available__gt=10,
        )
        .order_by("product__created_at", "product_id", "position")
    )
    chosen, products = [], set()
    for sku in skus:
        if sku.product_id not in products:
            products.add(sku.product_id)
            chosen.append(sku)
        if len(chosen) == count:
            break
    return chosen


def _buy_and_confirm(buyer: User, shops: list[Shop], currency: str) -> None:
    skus = [sku for index, shop in enumerate(shops) for sku in _skus(shop, 2 if index < 2 else 1)]
    if not skus:
        return
    total = sum(sku.price + sku.product.shop.shipping_fee for sku in skus)
    payment = topup_start(payer=buyer, amount=total, currency=currency)
    payment_succeed(payment_id=payment.pk, provider_ref="demo", reason="demo top-up")
    address = ShipTo(
        place=shops[0].village.key,
        street="Jl. Pahlawan 12" if currency == "IDR" else "人民路 12 号",
        name=buyer.display_name,
        phone=buyer.phone,
    )
    items = [CheckoutItem(sku=sku.public_id, quantity=1) for sku in skus]
    checkout = checkout_create(buyer=buyer, items=items, ship_to=address)
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    for order in checkout.orders.select_related("shop__owner"):
        lifecycle.order_ship(
            order=order,
            actor=order.shop.owner,
            carrier="中通快递 ZTO",
            waybill=f"ZT{order.pk:010d}",
        )
        lifecycle.order_confirm(order=order, actor=buyer)


def _review_orders(buyer: User, currency: str, *, anonymous: bool) -> int:
    """Review every unreviewed line of the buyer's finished orders; a few get replies and
    one a follow-up."""
    texts = TEXTS[currency]
    lines = (
        OrderLine.objects.filter(order__buyer=buyer, order__state=OrderState.FINISHED, review=None)
        .select_related("order__shop__owner", "sku")
        .order_by("order_id", "id")
    )
    added = 0
    for line in lines:
        rng = random.Random(f"{buyer.phone or buyer.email}/{line.order.shop.name}/{line.title}")
        draw = rng.random()
        rating = "good" if draw < 0.8 else "neutral" if draw < 0.9 else "bad"
        low = {"good": 4, "neutral": 3, "bad": 1}[rating]
        text = rng.choice(texts[rating])
        review = review_create(
            order=line.order,
            line=line,
            actor=buyer,
            rating=rating,
            item_as_described=rng.randint(low, min(5, low + 1)),
            service=rng.randint(low, min(5, low + 2)),
            shipping_speed=rng.randint(max(1, low - 1), min(5, low + 1)),
            text=text,
            anonymous=anonymous,
        )
        added += 1
        seller = line.order.shop.owner
        if rating != "good" or rng.random() < 0.3:
            key = "reply_good" if rating == "good" else "reply_other"
            review = review_reply(review=review, actor=seller, text=texts[key])
        if added == 1 and rating == "good":
            review = review_follow_up(review=review, actor=buyer, text=texts["followup"])
            review_reply(review=review, actor=seller, text=texts["reply_good"], to="followup")
    return added
