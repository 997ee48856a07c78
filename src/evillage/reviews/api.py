"""The reviews API: review a finished order line, follow up, reply, read reviews and a
shop's credit (public), hide and unhide (operators).

Mounted at "/" by evillage.api: /api/orders/{id}/reviews, /api/reviews/{id}/...,
/api/products/{id}/reviews, /api/shops/{id}/reviews, /api/shops/{id}/credit.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from evillage.accounts.api_auth import USER_AUTH
from evillage.catalog.selectors import product_visible_to
from evillage.core.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BoundedPageNumberPagination,
    ErrorOut,
)
from evillage.core.errors import NotFound
from evillage.orders.selectors import order_for
from evillage.reviews import selectors
from evillage.reviews.models import Review
from evillage.reviews.schemas import CreditOut, ReasonIn, ReplyIn, ReviewOut, credit_out
from evillage.reviews.services import (
    review_create,
    review_follow_up,
    review_hide,
    review_reply,
    review_unhide,
)
from evillage.shops.models import Shop, ShopStatus
from evillage.shops.selectors import shop_by_public_id, user_is_shop_staff

router = Router(tags=["reviews"])


def _review(review_id: str) -> Review:
    review = selectors.review_by_public_id(public_id=review_id)
    if review is None:
        raise NotFound(_("Review not found."), code="review_not_found")
    return review


def _fresh(review: Review) -> Review:
    return (
        Review.objects.select_related("product", "shop", "buyer")
        .prefetch_related("photos")
        .get(pk=review.pk)
    )


def _visible_shop(request: HttpRequest, shop_id: str) -> Shop:
    shop = shop_by_public_id(public_id=shop_id)
    if shop is None or (
        shop.status != ShopStatus.OPEN and not user_is_shop_staff(user=request.user, shop=shop)
    ):
        raise NotFound(_("No such shop."), code="shop_not_found")
    return shop


@router.post(
    "/orders/{order_id}/reviews",
    response={201: ReviewOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def review_create_op(
    request,
    order_id: str,
    line: Form[int],
    rating: Form[str],
    item_as_described: Form[int],
    service: Form[int],
    shipping_speed: Form[int],
    text: Form[str] = "",
    anonymous: Form[bool] = False,
    photos: File[list[UploadedFile]] = None,
):
    """The buyer reviews line number `line` (from 1) of a finished order (multipart:
    `rating` good/neutral/bad, `item_as_described`, `service`, `shipping_speed` 1–5,
    `text`, `anonymous`, `photos`). Within REVIEW_WINDOW_DAYS of the order finishing;
    once per line (a second submit gets 409 already_reviewed)."""
    order = order_for(user=request.auth, public_id=order_id)
    if order is None:
        raise NotFound(_("Order not found."), code="order_not_found")
    order_line = selectors.order_line_by_number(order=order, number=line)
    if order_line is None:
        raise NotFound(_("No such item in this order."), code="line_not_found")
    review = review_create(
        order=order,
        line=order_line,
        actor=request.auth,
        rating=rating,
        item_as_described=item_as_described,
        service=service,
        shipping_speed=shipping_speed,
        text=text,
        anonymous=anonymous,
        photos=photos or [],
    )
    return Status(201, _fresh(review))


@router.post(
    "/reviews/{review_id}/follow-up",
    response={200: ReviewOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def review_follow_up_op(
    request,
    review_id: str,
    text: Form[str],
    photos: File[list[UploadedFile]] = None,
):
    """The author adds one follow-up (multipart: `text`, `photos`), within
    REVIEW_FOLLOWUP_DAYS of the order finishing."""
    review = review_follow_up(
        review=_review(review_id), actor=request.auth, text=text, photos=photos or []
    )
    return _fresh(review)


@router.post(
    "/reviews/{review_id}/reply",
    response={200: ReviewOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def review_reply_op(request, review_id: str, payload: ReplyIn):
    """The shop's staff reply once to the review (`to`: review) and once to its
    follow-up (`to`: followup)."""
    review = review_reply(
        review=_review(review_id), actor=request.auth, text=payload.text, to=payload.to
    )
    return _fresh(review)


@router.post(
    "/reviews/{review_id}/hide",
    response={200: ReviewOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def review_hide_op(request, review_id: str, payload: ReasonIn):
    """Operators: hide a review that breaks the rules; the reason is recorded and shown
    to its author. It stops counting for the shop's credit at once."""
    return _fresh(review_hide(review=_review(review_id), actor=request.auth, reason=payload.reason))


@router.post(
    "/reviews/{review_id}/unhide",
    response={200: ReviewOut, WRITE_ERRORS: ErrorOut},
    auth=USER_AUTH,
)
def review_unhide_op(request, review_id: str, payload: ReasonIn | None = None):
    """Operators: show a hidden review again; it counts again under the rules."""
    review = review_unhide(
        review=_review(review_id), actor=request.auth, reason=payload.reason if payload else ""
    )
    return _fresh(review)


@router.get(
    "/products/{product_id}/reviews", response={200: list[ReviewOut], READ_ERRORS: ErrorOut}
)
@paginate(BoundedPageNumberPagination, page_size=10)
def product_review_list(request, product_id: str):
    """A product's reviews, newest first; hidden ones are left out."""
    product = product_visible_to(user=request.user, public_id=product_id)
    if product is None:
        raise NotFound(_("No such product."), code="product_not_found")
    return selectors.product_reviews(product=product).select_related("shop")


@router.get("/shops/{shop_id}/reviews", response={200: list[ReviewOut], READ_ERRORS: ErrorOut})
@paginate(BoundedPageNumberPagination, page_size=10)
def shop_review_list(request, shop_id: str):
    """A shop's reviews, newest first; hidden ones are left out."""
    shop = _visible_shop(request, shop_id)
    return selectors.shop_reviews(shop=shop).select_related("shop")


@router.get("/shops/{shop_id}/credit", response={200: CreditOut, READ_ERRORS: ErrorOut})
def shop_credit(request, shop_id: str):
    """The shop's seller credit (score, level, good-review rate) and its detailed seller
    ratings over the last 180 days, each compared with its main category."""
    shop = _visible_shop(request, shop_id)
    credit = selectors.shop_credit(shop=shop)
    credit.shop = shop
    root = selectors.shop_root_category(shop=shop)
    return credit_out(credit, selectors.dsr_rows(shop=shop, root=root))
