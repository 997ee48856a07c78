"""A buyer and a seller chat in real time, each in a browser of their own.

The buyer asks about a product from its page ("Chat with the seller"); the seller, on
the shop's inbox, sees the message arrive without reloading, answers, and the answer
appears on the buyer's page without reloading; the buyer's question shows as read.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from evillage.accounts.tests.factories import UserFactory, VerifiedSellerFactory
from evillage.catalog.tests.factories import ProductFactory
from evillage.shops.tests.factories import ShopFactory
from tests.browser.pages import logged_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _live(page: Page) -> None:
    """Wait until the page's WebSocket is up (so nothing below relies on polling)."""
    page.wait_for_function("window.evChatLive === true", timeout=10_000)


def test_buyer_and_seller_see_each_others_messages_without_reloading(
    browser: Browser, asgi_server: str
):
    url = asgi_server
    seller_user = VerifiedSellerFactory(phone="+8613912340001", display_name="孙晓梅")
    shop = ShopFactory(owner=seller_user, name="沙集家具坊")
    product = ProductFactory(shop=shop, title="实木餐桌 1.2米")
    UserFactory(phone="+8613712340001", display_name="王小明")

    buyer = logged_in(browser, url, "137 1234 0001", "王小明")
    buyer.goto(f"{url}/p/{product.public_id}/")
    buyer.get_by_role("button", name="Chat with the seller").click()
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("沙集家具坊")
    expect(buyer.locator("#chat-thread")).to_contain_text("实木餐桌 1.2米")  # the card
    _live(buyer)

    seller = logged_in(browser, url, "139 1234 0001", "孙晓梅")
    seller.get_by_role("link", name="Messages").click()
    seller.get_by_role("link", name="王小明").click()
    _live(seller)

    buyer.get_by_role("textbox", name="Message").fill("有现货吗？<b>急</b>")
    buyer.get_by_role("button", name="Send").click()
    question = seller.locator("#chat-thread li.theirs").filter(has_text="有现货吗？<b>急</b>")
    expect(question).to_be_visible()  # arrived live, shown as text, not as HTML

    seller.get_by_role("textbox", name="Message").fill("有的，今天下午发货")
    seller.get_by_role("button", name="Send").click()
    answer = buyer.locator("#chat-thread li.theirs").filter(has_text="有的，今天下午发货")
    expect(answer).to_be_visible()
    expect(buyer.locator("#chat-thread li.mine").last).to_contain_text("Read")
    # Each message is shown once on each side, though it came by the form and the socket.
    expect(buyer.locator("#chat-thread li.mine").filter(has_text="有现货吗")).to_have_count(1)
    expect(seller.locator("#chat-thread li.mine")).to_have_count(1)
