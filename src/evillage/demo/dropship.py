"""Demo drop-shipping: a Yiwu retail shop sells a supplier's product without stocking it.

下湾饰品杂货 lists an offer of 候儿小商品批发 at about 40% over the supplier's price, with
the supplier's photo (licensed: the variant is linked for drop-shipping before the photo
is added), and the demo's Chinese buyer has bought it twice: one order completed (the
supplier shipped to the buyer, the seller kept the margin), one paid and waiting on the
supplier's order desk. Through the services; idempotent (the listing is found by title).
"""

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from evillage.accounts.selectors import user_find_by_login
from evillage.catalog import services as catalog
from evillage.catalog.models import ProductPhoto, ProductStatus
from evillage.orders.services import lifecycle
from evillage.orders.services.checkout import CheckoutItem, ShipTo, checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.payments.services import payment_succeed, topup_start
from evillage.shops.models import Shop, ShopKind
from evillage.sourcing.dropship import dropship_link_create, purchase_order_place
from evillage.sourcing.models import DropshipOrder
from evillage.sourcing.selectors import tier_unit_price

SUPPLIER = "候儿小商品批发"
RESELLER = "下湾饰品杂货"
SUFFIX = "（一件代发）"
MARKUP_PERCENT = 140


def seed_dropship(*, buyer_email: str, say: Callable[[str], None] = lambda _: None) -> int:
    """The drop-shipped listing and two orders of it; returns the orders placed."""
    supplier = Shop.objects.filter(name=SUPPLIER, kind=ShopKind.SUPPLIER).first()
    reseller = Shop.objects.filter(name=RESELLER).first()
    buyer = user_find_by_login(login=buyer_email)
    if supplier is None or reseller is None or buyer is None:
        return 0
    photo = (
        ProductPhoto.objects.filter(
            product__shop=supplier,
            product__status=ProductStatus.ACTIVE,
            product__wholesale__dropship=True,
            position=0,
        )
        .select_related("product__category")
        .order_by("-product__created_at", "pk")
        .first()
    )
    if photo is None:
        return 0
    original = photo.product
    title = f"{original.title}{SUFFIX}"[:120]
    if reseller.products.filter(title=title).exists():
        return 0
    say(f"{RESELLER} drop-ships {original.title} from {SUPPLIER}")
    supplier_sku = original.skus.filter(is_active=True).order_by("position").first()
    price = tier_unit_price(sku=supplier_sku, quantity=1) * MARKUP_PERCENT // 100
    product = catalog.product_create(
        shop=reseller,
        actor=reseller.owner,
        category=original.category,
        title=title,
        description=f"{original.description}\n由厂家直接发货。",
        skus=[catalog.SkuInput(label=supplier_sku.label, price_minor=price, available=50)],
    )
    retail_sku = product.skus.get()
    dropship_link_create(user=reseller.owner, retail_sku=retail_sku, supplier_sku=supplier_sku)
    with photo.image.open("rb") as file:
        picture = SimpleUploadedFile("supplier.jpg", file.read(), content_type="image/jpeg")
    catalog.photos_add(product=product, actor=reseller.owner, uploads=[picture])
    catalog.product_set_status(product=product, actor=reseller.owner, status=ProductStatus.ACTIVE)

    orders = [_buy(buyer, retail_sku, reseller, n) for n in (1, 2)]
    completed = DropshipOrder.objects.get(retail_order=orders[0]).purchase_order
    lifecycle.order_ship(
        order=completed,
        actor=supplier.owner,
        carrier="中通快递 ZTO",
        waybill=f"ZT{completed.pk:010d}",
    )
    orders[0].refresh_from_db()
    lifecycle.order_confirm(order=orders[0], actor=buyer)
    return len(orders)


def _buy(buyer, sku, shop: Shop, n: int):
    checkout = checkout_create(
        buyer=buyer,
        items=[CheckoutItem(sku=sku.public_id, quantity=1)],
        ship_to=ShipTo(
            place=shop.village.key,
            street="东风路 8 号",
            name=buyer.display_name,
            phone="13800138000",
        ),
        idempotency_key=f"demo:dropship:{sku.public_id}:{n}",
    )
    topup = topup_start(payer=buyer, amount=checkout.total, currency=checkout.currency)
    payment_succeed(payment_id=topup.pk, provider_ref="demo", reason="demo top-up")
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    order = checkout.orders.get()
    # After commit this already happened; inside an outer transaction (tests) it did not.
    purchase_order_place(retail_order_id=order.pk)
    return order
