"""A purchase from two villages' shops, end to end in a real browser (Debian's Chromium).

A buyer puts one product of each of two sellers in her cart, checks out to a village she
picks with the place picker, pays online on the sandbox provider's page and sees both
orders paid. Each seller, in a browser of their own, ships with a carrier and waybill.
The buyer confirms one parcel: that seller's wallet now holds the order's money, with an
escrow-release line for it; the other seller's money is still held by eVillage.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from evillage.accounts.models import User
from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.catalog.models import Sku
from evillage.core.money import format_money
from evillage.ledger.selectors import ledger_audit
from evillage.orders.models import Order, OrderState
from evillage.orders.tests.factories import escrow_balance, make_sku, wallet_balance
from evillage.places.tests.factories import village
from evillage.shops.models import Shop
from evillage.shops.tests.factories import ShopFactory
from tests.browser.pages import logged_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Individual shops pay no commission: the seller receives the whole order total.
TABLE_PRICE, TABLE_SHIPPING = 128000, 1500
CACTUS_PRICE, CACTUS_SHIPPING = 3990, 0


def yuan(amount: int) -> str:
    return format_money(amount, "CNY", "en")


@dataclass
class Seller:
    user: User
    login: str  # as a person types it
    shop: Shop
    sku: Sku
    total: int  # of the one-item order the buyer places


def _seller(phone: str, name: str, shop_name: str, price: int, shipping: int) -> Seller:
    user = VerifiedSellerFactory(phone=f"+86{phone.replace(' ', '')}", display_name=name)
    shop = ShopFactory(owner=user, name=shop_name, shipping_fee=shipping)
    return Seller(user, phone, shop, make_sku(shop=shop, price=price), price + shipping)


@pytest.fixture
def table_seller() -> Seller:
    return _seller("139 1234 0001", "孙晓梅", "沙集家具坊", TABLE_PRICE, TABLE_SHIPPING)


@pytest.fixture
def cactus_seller() -> Seller:
    return _seller("139 1234 0002", "李建国", "耿车多肉园", CACTUS_PRICE, CACTUS_SHIPPING)


@pytest.fixture
def buyer() -> User:
    return UserFactory(
        phone="+8613712340001", display_name="王小明", residence=village(name="东风村")
    )


@pytest.fixture
def parents_village():
    """Where the buyer sends the parcels: not her own village, so she picks it."""
    return village(name="王庄村")


def test_a_buyer_pays_two_shops_online_and_the_confirmed_seller_is_paid(
    browser: Browser, live_server, buyer, table_seller, cactus_seller, parents_village
):
    url = live_server.url
    sellers = (table_seller, cactus_seller)

    shopper = logged_in(browser, url, "137 1234 0001", "王小明")
    for seller in sellers:
        _add_to_cart(shopper, url, seller)
    _check_out(shopper, sellers, parents_village.name)
    _pay_online(shopper, table_seller.total + cactus_seller.total)
    for seller in sellers:
        expect(_order_card(shopper, seller.shop.name)).to_contain_text("paid, waiting for shipment")
    expect(shopper.get_by_role("link", name="Cart (0)")).to_be_visible()

    seller_pages = {}
    for n, seller in enumerate(sellers):
        page = logged_in(browser, url, seller.login, seller.user.display_name)
        _ship(page, buyer_name="王小明", carrier="中通快递", waybill=f"ZT73000123{n}")
        seller_pages[seller.shop.pk] = page

    order_a = Order.objects.get(shop=table_seller.shop)
    _confirm_receipt(shopper, table_seller.shop.name)

    seller_a = seller_pages[table_seller.shop.pk]
    seller_a.get_by_role("link", name="Wallet", exact=True).click()
    expect(seller_a.locator("p.price.big")).to_have_text(yuan(table_seller.total))
    release = seller_a.get_by_role("row").filter(has_text="Escrow release")
    expect(release).to_have_count(1)
    expect(release).to_contain_text(f"Escrow · order {order_a.public_id}")
    expect(release).to_contain_text("+" + yuan(table_seller.total))

    seller_b = seller_pages[cactus_seller.shop.pk]
    seller_b.get_by_role("link", name="Wallet", exact=True).click()
    expect(seller_b.locator("p.price.big")).to_have_text(yuan(0))
    expect(seller_b.locator("body")).to_contain_text("No money has moved in this wallet yet.")
    # ... because eVillage still holds it, as the order page says.
    seller_b.goto(f"{url}/seller/orders/")
    seller_b.get_by_role("link", name="王小明").click()
    expect(_fact(seller_b, "Held by eVillage")).to_have_text(yuan(cactus_seller.total))

    states = dict(Order.objects.values_list("shop_id", "state"))
    assert states == {
        table_seller.shop.pk: OrderState.FINISHED,
        cactus_seller.shop.pk: OrderState.WAIT_BUYER_CONFIRM,
    }
    assert wallet_balance(table_seller.user) == table_seller.total
    assert wallet_balance(cactus_seller.user) == 0
    assert escrow_balance() == cactus_seller.total
    audit = ledger_audit()
    assert audit.ok, audit


def _add_to_cart(page: Page, url: str, seller: Seller) -> None:
    page.goto(f"{url}/p/{seller.sku.product.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(seller.sku.product.title)
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".messages")).to_contain_text("Added to your cart.")


def _check_out(page: Page, sellers: tuple[Seller, ...], place_name: str) -> None:
    page.get_by_role("link", name="Cart (2)").click()
    for seller in sellers:
        shop = page.get_by_role("region", name=seller.shop.name)
        expect(shop.get_by_role("link", name=seller.sku.product.title)).to_be_visible()
        expect(shop.locator("dd.price")).to_have_text(yuan(seller.total))
    page.get_by_role("link", name="Check out").click()

    # Her own village is filled in; she picks her parents' village instead.
    expect(page.locator(".place-path")).to_contain_text("东风村")
    page.get_by_label("Ship to (county, town or village)").fill(place_name)
    page.get_by_role("button", name=re.compile(place_name)).click()
    expect(page.locator(".place-path")).to_contain_text(place_name)
    page.get_by_label("Street and house").fill("王庄村 3 组 12 号")
    page.get_by_label("Recipient:", exact=True).fill("王大爷")
    page.get_by_label("Recipient's phone").fill("137 1234 0009")
    page.get_by_label(f"Note to {sellers[0].shop.name}").fill("请用木架包装")
    page.get_by_role("button", name="Place the order").click()
    expect(page).to_have_url(re.compile(r"/checkout/[^/]+/pay/$"))


def _pay_online(page: Page, due: int) -> None:
    expect(page.get_by_role("heading", name="2 orders")).to_be_visible()
    expect(_fact(page, "Amount due")).to_have_text(yuan(due))
    page.get_by_role("button", name="Pay online").click()

    expect(page.get_by_role("note")).to_contain_text("Sandbox payment provider")
    expect(page.locator("p.price.big")).to_have_text(yuan(due))
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page).to_have_url(re.compile(r"/orders/$"))
    expect(page.locator(".messages")).to_contain_text("Payment received.")


def _order_card(page: Page, title: str):
    """An order in a list: buyers see the shop's name on it, sellers the buyer's."""
    return page.locator("article").filter(has=page.get_by_role("link", name=title, exact=True))


def _fact(page: Page, term: str):
    """The value (<dd>) after a term (<dt>) of a page's facts list."""
    return page.locator(f"dt:text-is('{term}') + dd")


def _ship(page: Page, *, buyer_name: str, carrier: str, waybill: str) -> None:
    page.get_by_role("link", name="Shop orders").click()
    card = _order_card(page, buyer_name)
    expect(card).to_contain_text("paid, waiting for shipment")
    card.get_by_role("link", name="Ship", exact=True).click()
    page.get_by_label("Carrier").fill(carrier)
    page.get_by_label("Waybill number").fill(waybill)
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.locator(".messages")).to_contain_text("Marked as shipped.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "shipped, waiting for the buyer to confirm"
    )
    expect(_fact(page, "Parcel")).to_contain_text(f"{carrier} {waybill}")
    expect(_fact(page, "Ship to")).to_contain_text("王庄村")


def _confirm_receipt(page: Page, shop_name: str) -> None:
    page.get_by_role("link", name="My orders").click()
    card = _order_card(page, shop_name)
    expect(card).to_contain_text("shipped, waiting for the buyer to confirm")
    card.get_by_role("link", name="Details").click()
    # A plain form, no confirm() dialog (Playwright would dismiss one and nothing be sent).
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.locator(".messages")).to_contain_text("Receipt confirmed")
    expect(page.get_by_role("heading", level=1)).to_contain_text("finished")
