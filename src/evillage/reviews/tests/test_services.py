"""Who may review what and when, and the seller credit real reviews make."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.catalog.tests.factories import CategoryFactory, ProductFactory
from evillage.core.errors import Conflict, PermissionDenied, ValidationFailed
from evillage.orders.models import Order
from evillage.orders.tests.factories import make_shop, make_sku
from evillage.reviews.models import Review, ReviewAction, ShopCredit
from evillage.reviews.selectors import category_dsr, dsr_rows, shop_dsr
from evillage.reviews.services import (
    review_follow_up,
    review_hide,
    review_reply,
    review_unhide,
)
from evillage.reviews.tests.helpers import finished_order, photo, review
from evillage.shops.models import ShopStaff, StaffRole

pytestmark = pytest.mark.django_db


def credit(shop) -> tuple[int, int, int, int]:
    row = ShopCredit.objects.get(shop=shop)
    return row.score, row.goods, row.neutrals, row.bads


def code_of(excinfo) -> str:
    return excinfo.value.code


# Eligibility --------------------------------------------------------------------------


def test_a_finished_order_line_is_reviewed_once_and_scores_one_point():
    """A good review of a finished order: published, +1 for the shop, event recorded."""
    order = finished_order()
    made = review(order, text="桌子很结实", photos=[photo()])
    assert made.points == 1 and made.counted
    assert made.photos.count() == 1
    assert credit(order.shop) == (1, 1, 0, 0)
    assert made.events.get().action == ReviewAction.CREATED
    with pytest.raises(Conflict) as caught:
        review(order)
    assert code_of(caught) == "already_reviewed"


def test_an_order_not_finished_cannot_be_reviewed():
    order = finished_order(finish=False)  # paid, not shipped
    with pytest.raises(Conflict) as caught:
        review(order)
    assert code_of(caught) == "order_not_finished"
    assert not Review.objects.exists()


def test_the_review_window_closes_15_days_after_the_order_finished(settings):
    """Day 15 is still open; after it, refused."""
    settings.REVIEW_WINDOW_DAYS = 15
    order = finished_order()
    Order.objects.filter(pk=order.pk).update(
        finished_at=timezone.now() - timedelta(days=15, minutes=-5)
    )
    order.refresh_from_db()
    review(order)  # just inside
    late = finished_order()
    Order.objects.filter(pk=late.pk).update(
        finished_at=timezone.now() - timedelta(days=15, minutes=5)
    )
    late.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        review(late)
    assert code_of(caught) == "review_window_closed"


def test_nobody_reviews_their_own_shop():
    """The buyer works in the shop (customer service): refused."""
    order = finished_order()
    ShopStaff.objects.create(shop=order.shop, user=order.buyer, role=StaffRole.CUSTOMER_SERVICE)
    with pytest.raises(PermissionDenied) as caught:
        review(order)
    assert code_of(caught) == "own_shop"


def test_only_the_buyer_reviews():
    from evillage.reviews.services import review_create

    order = finished_order()
    with pytest.raises(PermissionDenied) as caught:
        review_create(
            order=order,
            line=order.lines.get(),
            actor=UserFactory(),
            rating="good",
            item_as_described=5,
            service=5,
            shipping_speed=5,
        )
    assert code_of(caught) == "not_your_order"


def test_each_line_of_an_order_is_reviewed_on_its_own():
    shop = make_shop()
    order = finished_order(skus=[make_sku(shop=shop), make_sku(shop=shop)])
    review(order, line=1)
    review(order, line=2, rating="bad", text="颜色不对")
    assert Review.objects.filter(order=order).count() == 2


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"rating": "great"}, "bad_rating"),
        ({"service": 6}, "bad_detailed_rating"),
        ({"shipping_speed": 0}, "bad_detailed_rating"),
        ({"rating": "bad", "text": "  "}, "text_required"),
        ({"text": "长" * 501}, "text_too_long"),
        ({"photos": [photo(f"{n}.jpg") for n in range(6)]}, "photo_limit"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(fields, code):
    order = finished_order()
    with pytest.raises(ValidationFailed) as caught:
        review(order, **fields)
    assert code_of(caught) == code
    assert not Review.objects.exists()
    assert not ShopCredit.objects.exclude(score=0).exists()


def test_a_photo_that_is_not_an_image_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = finished_order()
    with pytest.raises(ValidationFailed) as caught:
        review(order, photos=[SimpleUploadedFile("x.jpg", b"not a photo", "image/jpeg")])
    assert code_of(caught) == "photo_not_image"
    assert not Review.objects.exists()


# Follow-up and reply -----------------------------------------------------------------------


def test_one_follow_up_within_180_days_and_one_reply_each(settings):
    order = finished_order()
    made = review(order)
    made = review_follow_up(
        review=made, actor=order.buyer, text="用了一个月，依然很好", photos=[photo()]
    )
    assert made.followup_at and made.photos.filter(followup=True).count() == 1
    with pytest.raises(Conflict) as caught:
        review_follow_up(review=made, actor=order.buyer, text="again")
    assert code_of(caught) == "already_followed_up"

    seller = order.shop.owner
    made = review_reply(review=made, actor=seller, text="谢谢支持")
    made = review_reply(review=made, actor=seller, text="感谢追评", to="followup")
    assert (made.reply_text, made.followup_reply_text) == ("谢谢支持", "感谢追评")
    with pytest.raises(Conflict) as caught:
        review_reply(review=made, actor=seller, text="再说一次")
    assert code_of(caught) == "already_replied"
    with pytest.raises(PermissionDenied) as caught:
        review_reply(review=made, actor=order.buyer, text="我也回复")
    assert code_of(caught) == "not_your_shop"


def test_the_follow_up_window_closes(settings):
    settings.REVIEW_FOLLOWUP_DAYS = 180
    order = finished_order()
    made = review(order)
    Order.objects.filter(pk=order.pk).update(finished_at=timezone.now() - timedelta(days=181))
    made = Review.objects.select_related("order").get(pk=made.pk)
    with pytest.raises(Conflict) as caught:
        review_follow_up(review=made, actor=order.buyer, text="太晚了")
    assert code_of(caught) == "followup_window_closed"


# Credit ---------------------------------------------------------------------------------------


def test_same_product_within_14_days_counts_once_for_the_shop():
    """Two orders of the same product a week apart, both good: +1; a third 15 days after
    the first: +1 more."""
    buyer = UserFactory()
    sku = make_sku(available=20)
    now = timezone.now()
    for days_ago in (20, 13):
        review(finished_order(buyer=buyer, sku=sku, ordered_at=now - timedelta(days=days_ago)))
    assert credit(sku.product.shop)[0] == 1
    review(finished_order(buyer=buyer, sku=sku, ordered_at=now - timedelta(days=5)))
    assert credit(sku.product.shop) == (2, 2, 0, 0)


def test_monthly_limit_and_hiding_lets_a_capped_review_count_again():
    """Seven goods from one buyer in a month: 6 points; the 7th is shown but scores 0.
    Hiding one of the six brings the 7th under the limit; unhiding puts it back."""
    buyer, shop = UserFactory(), make_shop()
    operator = OperatorFactory()
    start = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)
    made = []
    for n in range(7):
        order = finished_order(
            buyer=buyer, sku=make_sku(shop=shop), ordered_at=start + timedelta(hours=n)
        )
        made.append(review(order))
    made = [Review.objects.get(pk=r.pk) for r in made]
    assert [r.points for r in made] == [1] * 6 + [0]
    assert credit(shop) == (6, 6, 0, 0)

    review_hide(review=made[0], actor=operator, reason="刷单 fake order")
    assert Review.objects.get(pk=made[6].pk).points == 1
    assert credit(shop) == (6, 6, 0, 0)
    event = made[0].events.get(action=ReviewAction.HIDDEN)
    assert (event.actor, event.reason) == (operator, "刷单 fake order")

    review_unhide(review=made[0], actor=operator)
    assert Review.objects.get(pk=made[6].pk).points == 0
    assert credit(shop) == (6, 6, 0, 0)


def test_hiding_a_bad_review_removes_its_minus_point():
    order = finished_order()
    made = review(order, rating="bad", text="坏了")
    assert credit(order.shop) == (-1, 0, 0, 1)
    review_hide(review=made, actor=OperatorFactory(), reason="辱骂卖家 abusive")
    assert credit(order.shop) == (0, 0, 0, 0)


def test_only_operators_hide_and_a_reason_is_needed():
    order = finished_order()
    made = review(order)
    with pytest.raises(PermissionDenied):
        review_hide(review=made, actor=order.shop.owner, reason="我不喜欢")
    with pytest.raises(ValidationFailed) as caught:
        review_hide(review=made, actor=OperatorFactory(), reason=" ")
    assert code_of(caught) == "reason_required"
    with pytest.raises(Conflict) as caught:
        review_unhide(review=made, actor=OperatorFactory())
    assert code_of(caught) == "not_hidden"


def test_recompute_credit_reports_and_fixes_drift(capsys):
    order = finished_order()
    review(order)
    call_command("recompute_credit")
    assert "0 had drifted" in capsys.readouterr().out
    ShopCredit.objects.filter(shop=order.shop).update(score=40, goods=7)
    Review.objects.update(points=0, counted=False)
    call_command("recompute_credit")
    captured = capsys.readouterr()
    assert "stored score=40" in captured.err and "computed score=1" in captured.err
    assert credit(order.shop) == (1, 1, 0, 0)
    assert Review.objects.get().points == 1


# Detailed seller ratings -----------------------------------------------------------------------


def test_dsr_averages_the_last_180_days_and_compares_with_the_category():
    """The shop's three averages count reviews of the last 180 days only; the category's
    average is the mean over the shops selling in it, each shop once."""
    category = CategoryFactory()
    shop = make_shop()
    sku = ProductFactory(shop=shop, category=category).skus.get()
    recent = review(finished_order(sku=sku), item_as_described=5, service=4, shipping_speed=3)
    old = review(finished_order(sku=sku), item_as_described=1, service=1, shipping_speed=1)
    Review.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=181))
    assert recent
    own = shop_dsr(shop=shop)
    assert (own.item_as_described, own.service, own.shipping_speed, own.ratings) == (5, 4, 3, 1)

    other = make_shop()
    other_sku = ProductFactory(shop=other, category=category).skus.get()
    for stars in (3, 3, 3):
        review(
            finished_order(sku=other_sku),
            item_as_described=stars,
            service=stars,
            shipping_speed=stars,
        )
    average = category_dsr(root=category)
    assert average.item_as_described == pytest.approx((5 + 3) / 2)  # shops, not reviews

    rows = {row.name: row for row in dsr_rows(shop=shop, root=category)}
    assert rows["item_as_described"].value == 5
    assert rows["item_as_described"].versus_category == 25.0
    assert rows["item_as_described"].comparison == "25.0% above the category"
    assert rows["shipping_speed"].versus_category == 0.0
    assert rows["shipping_speed"].comparison == "same as the category"
    other_rows = {row.name: row for row in dsr_rows(shop=other, root=category)}
    assert other_rows["item_as_described"].comparison == "25.0% below the category"


def test_hidden_reviews_leave_the_dsr():
    order = finished_order()
    made = review(order, service=1)
    review_hide(review=made, actor=OperatorFactory(), reason="广告 advertising")
    assert shop_dsr(shop=order.shop) is None


def test_only_three_reviews_of_one_buyer_per_month_count_in_the_dsr():
    """Taobao counts the detailed ratings of a buyer's first three orders at a shop in a
    calendar month; a fourth that month does not move the averages, next month's does."""
    buyer = UserFactory()
    sku = make_sku(price=1000, available=50)
    zone = timezone.get_current_timezone()
    march = [datetime(2026, 3, day, 12, tzinfo=zone) for day in (2, 9, 16, 23)]
    for day, stars in zip(march, (5, 5, 5, 1), strict=True):
        review(
            finished_order(buyer=buyer, sku=sku, ordered_at=day),
            item_as_described=stars,
            service=stars,
            shipping_speed=stars,
        )
    own = shop_dsr(shop=sku.product.shop)
    assert (own.item_as_described, own.ratings) == (5, 3)
    april = datetime(2026, 4, 1, 12, tzinfo=zone)
    review(
        finished_order(buyer=buyer, sku=sku, ordered_at=april),
        item_as_described=1,
        service=1,
        shipping_speed=1,
    )
    own = shop_dsr(shop=sku.product.shop)
    assert (own.item_as_described, own.ratings) == (4, 4)


def test_the_seller_replies_within_30_days_of_the_review():
    made = review(finished_order(), rating="neutral")
    Review.objects.filter(pk=made.pk).update(created_at=timezone.now() - timedelta(days=31))
    made.refresh_from_db()
    with pytest.raises(Conflict) as error:
        review_reply(review=made, actor=made.shop.owner, text="抱歉")
    assert error.value.code == "reply_window_closed"
    assert Review.objects.get(pk=made.pk).reply_text == ""
