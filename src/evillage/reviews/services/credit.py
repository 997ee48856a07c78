"""The shop credit a review change makes: the shop's ShopCredit row locked, the touched
(buyer, shop) slice rescored, the difference added; `credit_rebuild` recomputes all."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from evillage.accounts.models import User
from evillage.reviews.credit import SliceReview, Totals, score_slice, totals_of
from evillage.reviews.models import (
    Review,
    ReviewEvent,
    ShopCredit,
)
from evillage.shops.models import Shop

# Credit -----------------------------------------------------------------------------------


def lock_credit(shop_id: int) -> ShopCredit:
    """The shop's credit row, created on first use, locked to the end of the transaction."""
    ShopCredit.objects.get_or_create(shop_id=shop_id)
    return ShopCredit.objects.select_for_update().get(pk=shop_id)


def rescore_slice(*, shop_id: int, buyer_id: int) -> Totals:
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


def apply_credit_change(shop_id: int, delta: Totals) -> None:
    if delta != Totals():
        ShopCredit.objects.filter(pk=shop_id).update(
            score=F("score") + delta.score,
            goods=F("goods") + delta.goods,
            neutrals=F("neutrals") + delta.neutrals,
            bads=F("bads") + delta.bads,
        )


def record_event(review: Review, actor: User, action: str, reason: str = "", at=None) -> None:
    ReviewEvent.objects.create(
        review=review, actor=actor, action=action, reason=reason[:500], at=at or timezone.now()
    )


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
        credit = lock_credit(shop_id)
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
