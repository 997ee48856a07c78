"""Deadlines, eligibility checks and input cleaning of reviews (raise DomainErrors;
pages use the checks to decide which forms to show)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import Conflict, PermissionDenied, ValidationFailed
from evillage.core.ids import new_public_id
from evillage.core.images import process_photo
from evillage.orders.models import Order, OrderLine, OrderState
from evillage.reviews.models import (
    RATING_NAMES,
    Rating,
    Review,
    ReviewPhoto,
)
from evillage.shops.selectors import user_is_shop_staff

TEXT_MAX = 500
REASON_MIN = 4


# Deadlines ------------------------------------------------------------------------------


def review_deadline(order: Order) -> datetime | None:
    """Until when the buyer may review a finished order (Taobao: 15 days)."""
    if order.finished_at is None:
        return None
    return order.finished_at + timedelta(days=settings.REVIEW_WINDOW_DAYS)


def followup_deadline(order: Order) -> datetime | None:
    """Until when the buyer may follow a review up (Taobao: 180 days)."""
    if order.finished_at is None:
        return None
    return order.finished_at + timedelta(days=settings.REVIEW_FOLLOWUP_DAYS)


# Checks (raise a DomainError; pages use them to decide which forms to show) -------------


def check_can_review(*, order: Order, line: OrderLine, actor: User, now=None) -> None:
    now = now or timezone.now()
    if not actor.is_authenticated or order.buyer_id != actor.pk:
        raise PermissionDenied(
            _("Only the buyer of this order can review it."), code="not_your_order"
        )
    if line.order_id != order.pk:
        raise PermissionDenied(_("This item is not in this order."), code="not_your_order")
    if user_is_shop_staff(user=actor, shop=order.shop):
        raise PermissionDenied(
            _("You work in this shop: nobody reviews their own shop."), code="own_shop"
        )
    if order.state != OrderState.FINISHED or order.finished_at is None:
        raise Conflict(
            _("You can review an order once it is finished (receipt confirmed)."),
            code="order_not_finished",
        )
    if now > review_deadline(order):
        raise Conflict(
            _("The time to review this order ended on %(date)s.")
            % {"date": timezone.localtime(review_deadline(order)).date().isoformat()},
            code="review_window_closed",
        )
    if Review.objects.filter(order_line=line).exists():
        raise Conflict(_("You have already reviewed this item."), code="already_reviewed")


def check_can_follow_up(*, review: Review, actor: User, now=None) -> None:
    now = now or timezone.now()
    if not actor.is_authenticated or review.buyer_id != actor.pk:
        raise PermissionDenied(_("Only the author of a review can follow it up."), code="not_yours")
    if review.followup_at is not None:
        raise Conflict(_("A review can be followed up only once."), code="already_followed_up")
    if review.is_hidden:
        raise Conflict(_("This review is hidden."), code="review_hidden")
    if now > followup_deadline(review.order):
        raise Conflict(
            _("The time to follow this review up has ended."), code="followup_window_closed"
        )


def check_can_reply(*, review: Review, actor: User, to: str = "review") -> None:
    if not user_is_shop_staff(user=actor, shop=review.shop):
        raise PermissionDenied(
            _("Only the shop's staff can reply to its reviews."), code="not_your_shop"
        )
    if to == "followup":
        if review.followup_at is None:
            raise Conflict(_("There is no follow-up to reply to."), code="no_followup")
        if review.followup_reply_at is not None:
            raise Conflict(_("You have already replied to this follow-up."), code="already_replied")
    elif review.reply_at is not None:
        raise Conflict(_("You have already replied to this review."), code="already_replied")
    answered = review.followup_at if to == "followup" else review.created_at
    if timezone.now() > answered + timedelta(days=settings.REVIEW_REPLY_DAYS):
        raise Conflict(_("The time to reply to this has ended."), code="reply_window_closed")


# Input ------------------------------------------------------------------------------------


def clean_text(text: str, *, required: bool, field: str = "text") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(
            _("Write a few words for other buyers."), code="text_required", field=field
        )
    if len(text) > TEXT_MAX:
        raise ValidationFailed(
            _("At most %(max)d characters.") % {"max": TEXT_MAX}, code="text_too_long", field=field
        )
    return text


def clean_rating(rating) -> int:
    value = RATING_NAMES.get(rating) if isinstance(rating, str) else rating
    if value not in Rating.values:
        raise ValidationFailed(_("Choose good, neutral or bad."), code="bad_rating", field="rating")
    return int(value)


def clean_dsr(name: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationFailed(_("Give 1 to 5 stars."), code="bad_detailed_rating", field=name)
    return value


def _too_many_photos() -> ValidationFailed:
    return ValidationFailed(
        _("At most %(max)d photos.") % {"max": settings.REVIEW_MAX_PHOTOS},
        code="photo_limit",
        field="photos",
    )


@dataclass(frozen=True)
class _Processed:
    full: object
    thumb: object
    width: int
    height: int


def process_photos(uploads: list) -> list[_Processed]:
    """Check and re-encode every upload (core.images) before anything is stored."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > settings.REVIEW_MAX_PHOTOS:
        raise _too_many_photos()
    result = []
    for upload in uploads:
        photo = process_photo(upload)
        result.append(_Processed(photo.full, photo.thumb, photo.width, photo.height))
    return result


def store_photos(review: Review, photos: list[_Processed], *, followup: bool, saved: list) -> None:
    for position, item in enumerate(photos):
        row = ReviewPhoto(review=review, followup=followup, position=position)
        stem = new_public_id()
        row.image.save(f"{stem}.jpg", item.full, save=False)
        saved.append(row.image.name)
        row.thumb.save(f"{stem}-t.jpg", item.thumb, save=False)
        saved.append(row.thumb.name)
        row.width, row.height = item.width, item.height  # after the files (see catalog)
        row.save()


def delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
