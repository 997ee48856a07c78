"""A supplier, two reselling shops and an unlicensed copier, walked through in a browser.

候儿小商品批发 (a supplier) sells a toy bear wholesale with its own photo. 下湾饰品杂货
drop-ships it; 候儿村日用百货 bought ten wholesale; both list it with the supplier's photo
(resized, recompressed). 义乌玩具屋 copies the photo without buying anything.

A buyer on the drop-shipping reseller's product page sees "3 other shops sell this" and
the list; the supplier's "My photos" page shows both resellers licensed and the copier
flagged; the supplier ships the buyer's drop-shipped order from its order desk and the
buyer confirms receipt: the reseller keeps the margin, the supplier is paid; the copier
appeals; an operator refuses the appeal and the copier's photo disappears from its page.
"""

import pytest
from playwright.sync_api import Browser, expect

from evillage.accounts.models import Role
from evillage.accounts.services import role_grant
from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.catalog.tests.factories import ProductFactory
from evillage.orders.models import Order, OrderState
from evillage.orders.services.checkout import checkout_create
from evillage.orders.services.payment import checkout_pay_wallet
from evillage.orders.tests.factories import fund_wallet, item, ship_to, wallet_balance
from evillage.sameitem.models import PhotoRightsCase
from evillage.sameitem.tests.helpers import add_photo
from evillage.shops.models import ShopKind
from evillage.shops.tests.factories import ShopFactory
from evillage.sourcing.dropship import dropship_link_create
from evillage.sourcing.models import DropshipOrder
from evillage.sourcing.services import wholesale_terms_set
from tests.browser.pages import logged_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WHOLESALE, RETAIL = 3000, 4990  # fen: ¥30.00 from the supplier, ¥49.90 to the buyer


def _shop(phone: str, name: str, shop_name: str, kind: str = ShopKind.INDIVIDUAL):
    owner = VerifiedSellerFactory(phone=f"+86{phone}", display_name=name)
    if kind == ShopKind.SUPPLIER:
        role_grant(user=owner, role=Role.SUPPLIER)
    return ShopFactory(owner=owner, name=shop_name, kind=kind)


def _buy(buyer, sku, quantity: int = 1) -> Order:
    fund_wallet(buyer, 1_000_000)
    checkout = checkout_create(buyer=buyer, items=[item(sku, quantity)], ship_to=ship_to(buyer))
    checkout_pay_wallet(checkout=checkout, buyer=buyer)
    return checkout.orders.get()


def test_supplier_resellers_and_a_copier(browser: Browser, live_server):
    url = live_server.url
    supplier = _shop("13912340011", "吴军", "候儿小商品批发", ShopKind.SUPPLIER)
    offer = ProductFactory(shop=supplier, title="毛绒玩具熊 30cm", skus=[("棕色", WHOLESALE, 500)])
    wholesale_terms_set(
        actor=supplier.owner,
        product=offer,
        min_quantity=10,
        tiers=[(10, WHOLESALE), (50, 2600)],
        sample_price=3500,
    )
    add_photo(offer, "chelsea")

    dropshipper = _shop("13912340012", "傅强", "下湾饰品杂货")
    bear = ProductFactory(shop=dropshipper, title="毛绒玩具熊（代发）", skus=[("棕色", RETAIL, 50)])
    dropship_link_create(
        user=dropshipper.owner, retail_sku=bear.skus.get(), supplier_sku=offer.skus.get()
    )
    add_photo(bear, "chelsea", scale=0.5)

    stockist = _shop("13912340013", "楼晓", "候儿村日用百货")
    _buy(stockist.owner, offer.skus.get(), quantity=10)  # a wholesale order: licensed
    stocked = ProductFactory(shop=stockist, title="玩具熊 现货", skus=[("棕色", 4500, 10)])
    add_photo(stocked, "chelsea", quality=60)

    copier = _shop("13912340014", "何佳", "义乌玩具屋")
    copy = ProductFactory(shop=copier, title="可爱小熊 特价", skus=[("棕色", 3900, 10)])
    add_photo(copy, "chelsea", quality=50, scale=0.8)

    buyer = UserFactory(phone="+8613712340001", display_name="王小明")
    retail_order = _buy(buyer, bear.skus.get())
    purchase = DropshipOrder.objects.get(retail_order=retail_order).purchase_order
    operator = UserFactory(phone="+8613712340002", display_name="平台运营")
    role_grant(user=operator, role=Role.OPERATOR)

    # The buyer compares: the same bear in three other shops.
    shopper = logged_in(browser, url, "137 1234 0001", "王小明")
    shopper.goto(f"{url}/p/{bear.public_id}/")
    shopper.get_by_role("link", name="3 other shops sell this").click()
    for title in ("毛绒玩具熊 30cm", "玩具熊 现货", "可爱小熊 特价"):
        expect(shopper.get_by_role("link", name=title)).to_be_visible()

    # The supplier sees who uses its photo, and ships the drop-shipped order.
    wu = logged_in(browser, url, "139 1234 0011", "吴军")
    wu.goto(f"{url}/seller/")
    wu.get_by_role("link", name="候儿小商品批发").first.click()
    wu.get_by_role("link", name="My photos").click()
    uses = wu.locator("table").filter(has_text="Used by")
    expect(_row(uses, "下湾饰品杂货")).to_contain_text("licensed")
    expect(_row(uses, "候儿村日用百货")).to_contain_text("licensed")
    expect(_row(uses, "义乌玩具屋")).to_contain_text("flagged")
    wu.get_by_role("link", name="Order desk").click()
    card = wu.locator("article, li, section").filter(has_text=purchase.public_id).last
    card.get_by_label("Carrier").fill("中通快递")
    card.get_by_label("Waybill number").fill("ZT7300012345")
    card.get_by_role("button", name="Mark as shipped").click()
    retail_order.refresh_from_db()
    assert (retail_order.state, retail_order.waybill) == (
        OrderState.WAIT_BUYER_CONFIRM,
        "ZT7300012345",
    )

    # The buyer confirms: the reseller keeps the margin, the supplier is paid.
    shopper.goto(f"{url}/orders/{retail_order.public_id}/")
    expect(shopper.locator("body")).not_to_contain_text("候儿小商品批发")
    shopper.get_by_role("button", name="Confirm receipt").click()
    expect(shopper.get_by_role("heading", level=1)).to_contain_text("finished")
    assert wallet_balance(dropshipper.owner) == RETAIL - WHOLESALE
    assert wallet_balance(supplier.owner) == WHOLESALE

    # The copier appeals; the operator refuses; the photo leaves the copier's page.
    he = logged_in(browser, url, "139 1234 0014", "何佳")
    he.goto(f"{url}/seller/")
    he.get_by_role("link", name="义乌玩具屋").first.click()
    he.get_by_role("link", name="Photo rights").click()
    he.get_by_label("Why may your shop use this photo?").fill("这是我们自己拍的照片")
    he.get_by_role("button", name="Appeal").click()
    expect(he.locator("body")).to_contain_text("appeal waiting for a decision")

    desk = logged_in(browser, url, "137 1234 0002", "平台运营")
    desk.get_by_role("link", name="Photo rights").click()
    desk.get_by_label("Refuse the appeal: the photo stays hidden").check()
    desk.get_by_role("button", name="Record the decision").click()
    case = PhotoRightsCase.objects.get(shop=copier)
    assert case.state == "hidden"
    shopper.goto(f"{url}/p/{copy.public_id}/")
    expect(shopper.locator(".gallery img")).to_have_count(0)


def _row(table, shop_name: str):
    return table.get_by_role("row").filter(has_text=shop_name)
