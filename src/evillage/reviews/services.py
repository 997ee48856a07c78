"""Writes of reviews: create, follow up, reply, hide and unhide; the credit they make.

Every change runs in one transaction that first locks the shop's ShopCredit row (created
on first use), so the changes of one shop's reviews run one after another; it then
rescores only the (buyer, shop) slice the change touched (evillage.reviews.credit) and
adds the difference to ShopCredit. `credit_rebuild` recomputes everything and reports
what had drifted.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import User
from evillage.core.errors import Conflict, PermissionDenied, ValidationFailed
from evillage.core.ids import new_public_id
from evillage.core.images import process_photo
from evillage.orders.models import Order, OrderLine, OrderState
from evillage.reviews.credit import SliceReview, Totals, score_slice, totals_of
from evillage.reviews.models import (
    RATING_NAMES,
    Rating,
    Review,
    ReviewAction,
    ReviewEvent,
    ReviewPhoto,
    ShopCredit,
)
from evillage.shops.models import Shop
from evillage.shops.selectors import user_is_shop_staff
from evillage.shops.services import require_operator

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


def _clean_text(text: str, *, required: bool, field: str = "text") -> str:
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


def _clean_rating(rating) -> int:
    value = RATING_NAMES.get(rating) if isinstance(rating, str) else rating
    if value not in Rating.values:
        raise ValidationFailed(_("Choose good, neutral or bad."), code="bad_rating", field="rating")
    return int(value)


def _clean_dsr(name: str, value) -> int:
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


def _process(uploads: list) -> list[_Processed]:
    """Check and re-encode every upload (core.images) before anything is stored."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > settings.REVIEW_MAX_PHOTOS:
        raise _too_many_photos()
    result = []
    for upload in uploads:
        photo = process_photo(upload)
        result.append(_Processed(photo.full, photo.thumb, photo.width, photo.height))
    return result


def _store_photos(review: Review, photos: list[_Processed], *, followup: bool, saved: list) -> None:
    for position, item in enumerate(photos):
        row = ReviewPhoto(review=review, followup=followup, position=position)
        stem = new_public_id()
        row.image.save(f"{stem}.jpg", item.full, save=False)
        saved.append(row.image.name)
        row.thumb.save(f"{stem}-t.jpg", item.thumb, save=False)
        saved.append(row.thumb.name)
        row.width, row.height = item.width, item.height  # after the files (see catalog)
        row.save()


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


# Credit -----------------------------------------------------------------------------------


def _lock_credit(shop_id: int) -> ShopCredit:
    """The shop's credit row, created on first use, locked to the end of the transaction."""
    ShopCredit.objects.get_or_create(shop_id=shop_id)
    return ShopCredit.objects.select_for_update().get(pk=shop_id)


def _rescore_slice(*, shop_id: int, buyer_id: int) -> Totals:
    """Rescore one buyer's reviews of one shop; store what changed; return the change of
    the shop's totals. The caller holds the shop's credit lock."""
    rows = list(
        Review.objects.filter(shop_id=shop_id, buyer_id=buyer_id).values_list(
            "id",
            "product_id",
            "ordered_at",
            "rating",
            "is_hidden",
            "points",
            "counted",
            "dsr_counted",
        )
    )
    scored = score_slice(
        SliceReview(id=r[0], product_id=r[1], ordered_at=r[2], rating=r[3], hidden=r[4])
        for r in rows
    )
    before = totals_of((r[3], r[5], r[6]) for r in rows)
    after = totals_of((r[3], scored[r[0]].points, scored[r[0]].counted) for r in rows)
    changes: dict[tuple[int, bool, bool], list[int]] = {}
    for r in rows:
        new = scored[r[0]]
        stored = (r[5], r[6], r[7])
        if (new.points, new.counted, new.dsr_counted) != stored:
            changes.setdefault((new.points, new.counted, new.dsr_counted), []).append(r[0])
    for (points, counted, dsr_counted), ids in sorted(changes.items()):
        Review.objects.filter(pk__in=ids).update(
            points=points, counted=counted, dsr_counted=dsr_counted
        )
    return after - before


def _apply(shop_id: int, delta: Totals) -> None:
    if delta != Totals():
        ShopCredit.objects.filter(pk=shop_id).update(
            score=F("score") + delta.score,
            goods=F("goods") + delta.goods,
            neutrals=F("neutrals") + delta.neutrals,
            bads=F("bads") + delta.bads,
        )


def _event(review: Review, actor: User, action: str, reason: str = "", at=None) -> None:
    ReviewEvent.objects.create(
        review=review, actor=actor, action=action, reason=reason[:500], at=at or timezone.now()
    )


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
    value = _clean_rating(rating)
    dsr = {
        "item_as_described": _clean_dsr("item_as_described", item_as_described),
        "service": _clean_dsr("service", service),
        "shipping_speed": _clean_dsr("shipping_speed", shipping_speed),
    }
    text = _clean_text(text, required=value != Rating.GOOD)
    processed = _process(photos or [])
    saved: list[str] = []
    try:
        with transaction.atomic():
            _lock_credit(order.shop_id)
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
            _store_photos(review, processed, followup=False, saved=saved)
            _apply(order.shop_id, _rescore_slice(shop_id=order.shop_id, buyer_id=order.buyer_id))
            _event(review, actor, ReviewAction.CREATED, at=now)
    except BaseException:
        _delete_files(saved)
        raise
    review.refresh_from_db()
    return review


def review_follow_up(
    *, review: Review, actor: User, text: str, photos: list | None = None
) -> Review:
    """The buyer adds one follow-up (text, photos) within REVIEW_FOLLOWUP_DAYS."""
    check_can_follow_up(review=review, actor=actor)
    text = _clean_text(text, required=True)
    processed = _process(photos or [])
    saved: list[str] = []
    try:
        with transaction.atomic():
            _lock_credit(review.shop_id)
            now = timezone.now()
            updated = Review.objects.filter(pk=review.pk, followup_at=None, is_hidden=False).update(
                followup_text=text, followup_at=now
            )
            if not updated:
                raise Conflict(
                    _("A review can be followed up only once."), code="already_followed_up"
                )
            _store_photos(review, processed, followup=True, saved=saved)
            _event(review, actor, ReviewAction.FOLLOWED_UP, at=now)
    except BaseException:
        _delete_files(saved)
        raise
    review.refresh_from_db()
    return review


def review_reply(*, review: Review, actor: User, text: str, to: str = "review") -> Review:
    """The shop's staff reply once to a review, and once to its follow-up (`to`)."""
    if to not in ("review", "followup"):
        raise ValidationFailed(_("Reply to the review or to its follow-up."), code="bad_target")
    check_can_reply(review=review, actor=actor, to=to)
    text = _clean_text(text, required=True)
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
        _event(review, actor, ReviewAction.REPLIED, reason=to, at=now)
    review.refresh_from_db()
    return review


def _set_hidden(review: Review, *, actor: User, hidden: bool, reason: str) -> Review:
    with transaction.atomic():
        _lock_credit(review.shop_id)
        updated = Review.objects.filter(pk=review.pk, is_hidden=not hidden).update(
            is_hidden=hidden, hidden_reason=reason if hidden else ""
        )
        if not updated:
            if hidden:
                raise Conflict(_("This review is already hidden."), code="already_hidden")
            raise Conflict(_("This review is not hidden."), code="not_hidden")
        _apply(review.shop_id, _rescore_slice(shop_id=review.shop_id, buyer_id=review.buyer_id))
        _event(review, actor, ReviewAction.HIDDEN if hidden else ReviewAction.UNHIDDEN, reason)
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


# Rebuild ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    shop_id: int
    stored: Totals
    computed: Totals
    reviews_changed: int


def credit_rebuild(*, shops=None) -> list[Drift]:
    """Rescore every review and recompute every ShopCredit from them (one shop per
    transaction); returns the shops whose stored figures were wrong."""
    shop_ids = list(
        (shops if shops is not None else Shop.objects.all())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    drifts = []
    for shop_id in shop_ids:
        drift = _rebuild_shop(shop_id)
        if drift is not None:
            drifts.append(drift)
    return drifts


def _rebuild_shop(shop_id: int) -> Drift | None:
    with transaction.atomic():
        has_reviews = Review.objects.filter(shop_id=shop_id).exists()
        if not has_reviews and not ShopCredit.objects.filter(pk=shop_id).exists():
            return None
        credit = _lock_credit(shop_id)
        stored = Totals(credit.score, credit.goods, credit.neutrals, credit.bads)
        rows = list(
            Review.objects.filter(shop_id=shop_id).values_list(
                "id",
                "buyer_id",
                "product_id",
                "ordered_at",
                "rating",
                "is_hidden",
                "points",
                "counted",
                "dsr_counted",
            )
        )
        by_buyer: dict[int, list] = {}
        for row in rows:
            by_buyer.setdefault(row[1], []).append(row)
        computed = Totals()
        changed = 0
        for buyer_rows in by_buyer.values():
            scored = score_slice(
                SliceReview(id=r[0], product_id=r[2], ordered_at=r[3], rating=r[4], hidden=r[5])
                for r in buyer_rows
            )
            for r in buyer_rows:
                new = scored[r[0]]
                if (new.points, new.counted, new.dsr_counted) != (r[6], r[7], r[8]):
                    Review.objects.filter(pk=r[0]).update(
                        points=new.points, counted=new.counted, dsr_counted=new.dsr_counted
                    )
                    changed += 1
            computed += totals_of(
                (r[4], scored[r[0]].points, scored[r[0]].counted) for r in buyer_rows
            )
        if computed != stored:
            ShopCredit.objects.filter(pk=shop_id).update(
                score=computed.score,
                goods=computed.goods,
                neutrals=computed.neutrals,
                bads=computed.bads,
            )
        if computed != stored or changed:
            return Drift(shop_id=shop_id, stored=stored, computed=computed, reviews_changed=changed)
    return None


__all__ = [
    "check_can_follow_up",
    "check_can_reply",
    "check_can_review",
    "credit_rebuild",
    "followup_deadline",
    "review_create",
    "review_deadline",
    "review_follow_up",
    "review_hide",
    "review_reply",
    "review_unhide",
]
