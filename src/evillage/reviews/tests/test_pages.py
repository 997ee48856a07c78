"""The review pages as people use them: the buyer's form, the product and shop pages,
the listings' badge, the seller's replies, and the operator's admin action."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.orders.tests.factories import make_shop, make_sku
from evillage.reviews.models import Review, ReviewAction, ShopCredit
from evillage.reviews.services import review_hide
from evillage.reviews.tests.helpers import finished_order, photo, review

pytestmark = pytest.mark.django_db


def line_url(order, number=1) -> str:
    return reverse("reviews:line", args=[order.public_id, number])


def form_data(**overrides) -> dict:
    return {
        "rating": "good",
        "item_as_described": "5",
        "service": "5",
        "shipping_speed": "4",
        "text": "",
        **overrides,
    }


def test_the_order_pages_link_to_the_review_form_which_shows_the_deadline(client):
    order = finished_order()
    client.force_login(order.buyer)
    detail = client.get(reverse("orders:detail", args=[order.public_id])).content.decode()
    assert line_url(order) in detail
    listing = client.get(reverse("orders:buyer_orders")).content.decode()
    assert line_url(order) in listing
    page = client.get(line_url(order)).content.decode()
    assert "You can review until" in page and 'name="rating"' in page


def test_a_buyer_reviews_and_the_review_shows_on_the_product_and_shop_pages(client):
    order = finished_order()
    client.force_login(order.buyer)
    response = client.post(
        line_url(order),
        form_data(text="木头很香，做工扎实", anonymous="on", photos=[photo("a.jpg")]),
    )
    assert response.status_code == 302
    made = Review.objects.get()
    assert made.anonymous and made.photos.count() == 1

    client.logout()
    product_page = client.get(reverse("catalog:product", args=[made.product.public_id]))
    html = product_page.content.decode()
    assert "木头很香，做工扎实" in html
    assert made.buyer.display_name not in html  # anonymous: masked
    assert made.buyer.display_name[0] + "***" in html
    assert "Seller credit" in html and "Good reviews" in html
    shop_page = client.get(reverse("web:shop", args=[order.shop.public_id])).content.decode()
    assert "木头很香，做工扎实" in shop_page and "Item as described" in shop_page


def test_form_errors_are_shown_on_the_form_and_nothing_is_stored(client):
    order = finished_order()
    client.force_login(order.buyer)
    response = client.post(line_url(order), form_data(rating="bad", text=""))
    assert response.status_code == 400
    assert "Write a few words for other buyers." in response.content.decode()
    response = client.post(line_url(order), form_data(photos=[photo(f"{n}.jpg") for n in range(6)]))
    assert "At most 5 photos." in response.content.decode()
    assert not Review.objects.exists()


def test_a_second_submit_says_it_was_already_reviewed(client):
    order = finished_order()
    client.force_login(order.buyer)
    client.post(line_url(order), form_data())
    response = client.post(line_url(order), form_data())
    assert response.status_code == 400
    assert "You have already reviewed this item." in response.content.decode()
    assert Review.objects.count() == 1


def test_other_people_cannot_open_the_review_form(client):
    order = finished_order()
    client.force_login(UserFactory())
    assert client.get(line_url(order)).status_code == 404
    client.force_login(order.buyer)
    assert client.get(line_url(order, 2)).status_code == 404


def test_the_buyer_follows_up_and_sees_a_hidden_review_with_its_reason(client):
    order = finished_order()
    made = review(order, text="还行")
    client.force_login(order.buyer)
    response = client.post(
        reverse("reviews:follow_up", args=[order.public_id, 1]), {"text": "用了半年，没坏"}
    )
    assert response.status_code == 302
    review_hide(review=made, actor=OperatorFactory(), reason="含有广告 advertising")
    page = client.get(line_url(order)).content.decode()
    assert "用了半年，没坏" in page and "含有广告 advertising" in page
    product_page = client.get(reverse("catalog:product", args=[made.product.public_id]))
    assert "还行" not in product_page.content.decode()


def test_the_product_page_lists_reviews_newest_first_ten_a_page(client):
    shop = make_shop()
    sku = make_sku(shop=shop, available=50)
    for n in range(12):
        review(finished_order(sku=sku), text=f"第{n:02d}条评价")
    html = client.get(reverse("catalog:product", args=[sku.product.public_id])).content.decode()
    assert "第11条评价" in html and "第02条评价" in html and "第01条评价" not in html
    assert html.index("第11条评价") < html.index("第10条评价")
    second = client.get(reverse("catalog:product", args=[sku.product.public_id]), {"reviews": 2})
    assert "第01条评价" in second.content.decode()


def test_listings_show_the_level_badge_without_a_query_per_card(client):
    """A shop with 4 points has one heart on every card; more cards, same queries."""
    shop = make_shop()
    ShopCredit.objects.create(shop=shop, score=612, goods=612)
    for _ in range(2):
        make_sku(shop=shop)
    with CaptureQueriesContext(connection) as few:
        html = client.get(reverse("web:shop", args=[shop.public_id])).content.decode()
    assert html.count('class="credit-level diamond"') >= 3  # 2 cards + the credit panel
    assert "2 diamonds (612)" in html and "◆◆" in html
    for _ in range(4):
        make_sku(shop=shop)
    other = make_shop()  # no credit row: no badge, no error
    make_sku(shop=other)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("web:shop", args=[shop.public_id]))
    assert len(many) == len(few)
    home = client.get("/").content.decode()
    assert home.count('class="credit-level diamond"') == 6


def test_the_seller_replies_without_and_with_htmx(client):
    order = finished_order()
    first = review(order, text="好")
    second = review(finished_order(sku=order.lines.get().sku), rating="bad", text="慢")
    client.force_login(order.shop.owner)
    page_url = reverse("reviews:seller", args=[order.shop.public_id])
    page = client.get(page_url).content.decode()
    assert "好" in page and "慢" in page and "Seller credit" in page

    reply = reverse("reviews:reply", args=[order.shop.public_id, first.public_id])
    response = client.post(reply, {"to": "review", "text": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(reply, {"to": "review", "text": "谢谢惠顾"})
    assert response.status_code == 302
    assert Review.objects.get(pk=first.pk).reply_text == "谢谢惠顾"

    reply = reverse("reviews:reply", args=[order.shop.public_id, second.public_id])
    response = client.post(
        reply, {"to": "review", "text": "已补发"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<li class="review panel"') and "已补发" in html
    waiting = client.get(page_url, {"waiting": "1"}).content.decode()
    assert "No reviews here." in waiting

    client.force_login(UserFactory())
    assert client.get(page_url).status_code == 404


def test_the_shop_nav_links_the_reviews_page(client):
    shop = make_shop()
    client.force_login(shop.owner)
    html = client.get(reverse("shops:shop", args=[shop.public_id])).content.decode()
    assert reverse("reviews:seller", args=[shop.public_id]) in html


def test_admin_hide_action_needs_a_reason_and_records_the_event(client):
    order = finished_order()
    made = review(order, rating="bad", text="骗子")
    operator = OperatorFactory()
    client.force_login(operator)
    url = reverse("admin:reviews_review_changelist")
    response = client.post(
        url, {"action": "hide", "_selected_action": [made.pk], "reason": ""}, follow=True
    )
    assert "Say why" in response.content.decode()
    assert not Review.objects.get(pk=made.pk).is_hidden

    client.post(url, {"action": "hide", "_selected_action": [made.pk], "reason": "人身攻击"})
    made.refresh_from_db()
    assert made.is_hidden and made.hidden_reason == "人身攻击"
    event = made.events.get(action=ReviewAction.HIDDEN)
    assert (event.actor, event.reason) == (operator, "人身攻击")
    assert ShopCredit.objects.get(shop=order.shop).score == 0

    client.post(url, {"action": "unhide", "_selected_action": [made.pk], "reason": ""})
    assert ShopCredit.objects.get(shop=order.shop).score == -1
    for page in ("reviews_review", "reviews_reviewevent", "reviews_shopcredit"):
        assert client.get(reverse(f"admin:{page}_changelist")).status_code == 200
    assert client.get(reverse("admin:reviews_review_change", args=[made.pk])).status_code == 200


def test_the_product_page_reads_reviews_in_a_fixed_number_of_queries(client):
    """Two reviews or eleven, with photos: the same queries."""
    sku = make_sku(available=50)
    url = reverse("catalog:product", args=[sku.product.public_id])
    for _ in range(2):
        review(finished_order(sku=sku), photos=[photo()])
    cache.clear()  # the category's ratings are cached: measure both pages cold
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(9):
        review(finished_order(sku=sku), photos=[photo()])
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert "2 hearts (11)" in client.get(url).content.decode()
    assert len(many) == len(few)
