"""Create, follow up, reply, hide and unhide reviews."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import Conflict, ValidationFailed
from evillage.orders.models import Order, OrderLine
from evillage.reviews.models import (
    Rating,
    Review,
    ReviewAction,
)
from evillage.reviews.photos import settle_photos
from evillage.reviews.services.credit import (
    apply_credit_change,
    lock_credit,
    record_event,
    rescore_slice,
)
from evillage.reviews.services.rules import (
    REASON_MIN,
    TEXT_MAX,
    check_can_follow_up,
    check_can_reply,
    check_can_review,
    clean_dsr,
    clean_rating,
    clean_text,
    delete_files,
    process_photos,
    store_photos,
)
from evillage.shops.services import require_operator

# Operations -------------------------------------------------------------------------------


def review_create(
    *,
    order: Order,
    line: OrderLine,
    actor: User,
    rating,
    item_as_described: int,
    service: int,
    shipping_speed: int,
    text: str = "",
    anonymous: bool = False,
    photos: list | None = None,
) -> Review:
    """The buyer reviews one line of a finished order, within REVIEW_WINDOW_DAYS.

    Raises not_your_order, own_shop, order_not_finished, review_window_closed,
    already_reviewed (also when a concurrent submit won), bad_rating,
    bad_detailed_rating, text_required, text_too_long, photo_* errors.
    """
    check_can_review(order=order, line=line, actor=actor)
    value = clean_rating(rating)
    dsr = {
        "item_as_described": clean_dsr("item_as_described", item_as_described),
        "service": clean_dsr("service", service),
        "shipping_speed": clean_dsr("shipping_speed", shipping_speed),
    }
    text = clean_text(text, required=value != Rating.GOOD)
    processed = process_photos(photos or [])
    saved: list[str] = []
    try:
        with transaction.atomic():
            lock_credit(order.shop_id)
            check_can_review(order=order, line=line, actor=actor)  # again, under the lock
            now = timezone.now()
            try:
                with transaction.atomic():
                    review = Review.objects.create(
                        order=order,
                        order_line=line,
                        buyer_id=order.buyer_id,
                        shop_id=order.shop_id,
                        product_id=line.sku.product_id,
                        ordered_at=order.created_at,
                        rating=value,
                        text=text,
                        anonymous=bool(anonymous),
                        created_at=now,
                        **dsr,
                    )
            except IntegrityError:
                raise Conflict(
                    _("You have already reviewed this item."), code="already_reviewed"
                ) from None
            store_photos(review, processed, followup=False, saved=saved)
            apply_credit_change(
                order.shop_id, rescore_slice(shop_id=order.shop_id, buyer_id=order.buyer_id)
            )
            record_event(review, actor, ReviewAction.CREATED, at=now)
    except BaseException:
        delete_files(saved)
        raise
    review.refresh_from_db()
    return review


def review_follow_up(
    *, review: Review, actor: User, text: str, photos: list | None = None
) -> Review:
    """The buyer adds one follow-up (text, photos) within REVIEW_FOLLOWUP_DAYS."""
    check_can_follow_up(review=review, actor=actor)
    text = clean_text(text, required=True)
    processed = process_photos(photos or [])
    saved: list[str] = []
    try:
        with transaction.atomic():
            lock_credit(review.shop_id)
            now = timezone.now()
            updated = Review.objects.filter(pk=review.pk, followup_at=None, is_hidden=False).update(
                followup_text=text, followup_at=now
            )
            if not updated:
                raise Conflict(
                    _("A review can be followed up only once."), code="already_followed_up"
                )
            store_photos(review, processed, followup=True, saved=saved)
            record_event(review, actor, ReviewAction.FOLLOWED_UP, at=now)
    except BaseException:
        delete_files(saved)
        raise
    review.refresh_from_db()
    return review


def review_reply(*, review: Review, actor: User, text: str, to: str = "review") -> Review:
    """The shop's staff reply once to a review, and once to its follow-up (`to`)."""
    if to not in ("review", "followup"):
        raise ValidationFailed(_("Reply to the review or to its follow-up."), code="bad_target")
    check_can_reply(review=review, actor=actor, to=to)
    text = clean_text(text, required=True)
    with transaction.atomic():
        now = timezone.now()
        if to == "followup":
            updated = Review.objects.filter(
                pk=review.pk, followup_at__isnull=False, followup_reply_at=None
            ).update(followup_reply_text=text, followup_reply_at=now, followup_reply_by=actor)
        else:
            updated = Review.objects.filter(pk=review.pk, reply_at=None).update(
                reply_text=text, reply_at=now, reply_by=actor
            )
        if not updated:
            raise Conflict(_("You have already replied to this review."), code="already_replied")
        record_event(review, actor, ReviewAction.REPLIED, reason=to, at=now)
    review.refresh_from_db()
    return review


def _set_hidden(review: Review, *, actor: User, hidden: bool, reason: str) -> Review:
    with transaction.atomic():
        lock_credit(review.shop_id)
        updated = Review.objects.filter(pk=review.pk, is_hidden=not hidden).update(
            is_hidden=hidden, hidden_reason=reason if hidden else ""
        )
        if not updated:
            if hidden:
                raise Conflict(_("This review is already hidden."), code="already_hidden")
            raise Conflict(_("This review is not hidden."), code="not_hidden")
        apply_credit_change(
            review.shop_id, rescore_slice(shop_id=review.shop_id, buyer_id=review.buyer_id)
        )
        record_event(
            review, actor, ReviewAction.HIDDEN if hidden else ReviewAction.UNHIDDEN, reason
        )
        review_id = review.pk
        transaction.on_commit(lambda: settle_photos(review_id))
    review.refresh_from_db()
    return review


def review_hide(*, review: Review, actor: User, reason: str) -> Review:
    """An operator hides a review that breaks the rules; it stops counting for credit."""
    require_operator(actor)
    reason = (reason or "").strip()
    if not REASON_MIN <= len(reason) <= TEXT_MAX:
        raise ValidationFailed(
            _("Say why (%(min)d to %(max)d characters): the buyer reads it.")
            % {"min": REASON_MIN, "max": TEXT_MAX},
            code="reason_required",
            field="reason",
        )
    return _set_hidden(review, actor=actor, hidden=True, reason=reason)


def review_unhide(*, review: Review, actor: User, reason: str = "") -> Review:
    """An operator shows a hidden review again; it counts again under the rules."""
    require_operator(actor)
    return _set_hidden(review, actor=actor, hidden=False, reason=(reason or "").strip()[:TEXT_MAX])
