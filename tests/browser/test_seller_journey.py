"""The whole first capability in a real browser (Debian's Chromium via Playwright).

A villager registers, records where she lives, asks to be verified; an operator
approves her in the admin; she opens a shop and lists a product with a photo; then
a visitor whose browser speaks Chinese finds it by search and opens its page.
"""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from evillage.accounts.models import Role
from evillage.accounts.tests.factories import PASSWORD, UserFactory, cn_resident_id
from evillage.places.services import places_import_shipped

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SELLER_PHONE = "139 1234 5678"
SELLER_PASSWORD = "shaji-furniture-2026"
TITLE = "沙集实木餐桌 Oak dining table"


@pytest.fixture
def operator():
    user = UserFactory(email="ops@evillage.example", phone=None, with_roles=[Role.OPERATOR])
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "table.jpg"
    image = Image.new("RGB", (640, 480), (180, 120, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_villager_opens_a_shop_and_a_chinese_visitor_finds_her_product(
    browser, live_server, operator, photo
):
    places_import_shipped()
    url = live_server.url

    seller = browser.new_context(locale="en-US").new_page()
    _register(seller, url)
    _record_residence(seller, url)
    _ask_for_verification(seller, url)

    ops = browser.new_context(locale="en-US").new_page()
    _approve_in_admin(ops, url)

    _open_shop(seller, url)
    product_url = _list_product(seller, photo)

    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(url + "/")
    visitor.get_by_role("searchbox").fill("餐桌")
    visitor.get_by_role("button", name="搜索").click()
    visitor.get_by_role("link", name=TITLE).first.click()
    expect(visitor).to_have_url(re.compile(re.escape(product_url) + "$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.locator("body")).to_contain_text("¥1,280.00")
    expect(visitor.locator("body")).to_contain_text("沙集家具坊")
    expect(visitor.locator("html")).to_have_attribute("lang", "zh-hans")
    assert visitor.locator("img[src*='/media/']").count() >= 1


def _register(page: Page, url: str) -> None:
    page.goto(url + "/accounts/register/")
    page.get_by_label("Phone number:").fill(SELLER_PHONE)
    page.get_by_label("Display name:").fill("孙晓梅")
    page.get_by_label("Password:", exact=True).fill(SELLER_PASSWORD)
    page.get_by_label("Password again:").fill(SELLER_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("link", name="孙晓梅")).to_be_visible()


def _record_residence(page: Page, url: str) -> None:
    page.goto(url + "/accounts/me/")
    page.get_by_label("Village of residence:").fill("沙集镇 东风")
    page.get_by_role("button", name=re.compile("东风社区居委会")).click()
    expect(page.locator(".place-path")).to_contain_text("睢宁县 沙集镇 东风社区居委会")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_be_visible()


def _ask_for_verification(page: Page, url: str) -> None:
    page.goto(url + "/accounts/verification/")
    page.get_by_label("Name as on the document:").fill("孙晓梅")
    page.get_by_label("Document:", exact=True).select_option("cn_ric")
    page.get_by_label("ID number:").fill(cn_resident_id(7, area="320324", birth="19880412"))
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("body")).to_contain_text("3203**********")


def _approve_in_admin(page: Page, url: str) -> None:
    page.goto(url + "/admin/")
    page.get_by_label("Username").fill("ops@evillage.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(url + "/admin/accounts/identityverification/")
    page.get_by_role("row", name=re.compile("孙晓梅")).get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option("approve")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_be_visible()


def _open_shop(page: Page, url: str) -> None:
    page.goto(url + "/seller/")
    page.get_by_role("link", name="Open a shop").click()
    page.get_by_label("Shop name:").fill("沙集家具坊")
    page.get_by_label("Kind of shop:").select_option("individual")
    page.get_by_label("Description:").fill("东风村实木家具，自产自销。")
    page.get_by_role("button", name="Open the shop").click()
    expect(page.locator("body")).to_contain_text("沙集家具坊")


def _list_product(page: Page, photo) -> str:
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Title:").fill(TITLE)
    page.get_by_label("Category:").select_option("solid-wood-furniture")
    page.get_by_label("Variant", exact=True).first.fill("1.2米 / 原木色")
    page.get_by_label("Price (CNY)", exact=True).first.fill("1280")
    page.get_by_label("Stock", exact=True).first.fill("8")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Photos:").set_input_files(str(photo))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("img[src*='/media/']").first).to_be_visible()
    page.get_by_role("button", name="Put on sale").click()
    expect(page.get_by_role("button", name="Delist")).to_be_visible()
    return page.get_by_role("link", name="View as buyers see it").get_attribute("href")


def test_sorting_a_listing_swaps_it_in_place_and_products_still_open(browser, live_server):
    from evillage.catalog.tests.factories import CategoryFactory, ProductFactory

    top = CategoryFactory(slug="furniture-test")
    category = CategoryFactory(slug="tables-test", parent=top)
    for title, price in (("贵的餐桌", 99900), ("便宜的餐桌", 19900), ("中等餐桌", 49900)):
        ProductFactory(title=title, category=category, skus=[("标准", price, 5)])

    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/c/tables-test/")
    page.get_by_role("link", name="Price: low to high").click()
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    expect(page.locator(".products .title").first).to_have_text("便宜的餐桌")

    page.get_by_role("link", name=re.compile("便宜的餐桌")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("便宜的餐桌")
