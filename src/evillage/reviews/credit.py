"""Taobao's seller-credit rules (淘宝网评价规则), as pure functions of the review rows.

- A good rating scores +1, a neutral 0, a bad −1.
- Within 14 days (by order creation time) several ratings from one buyer on one product
  of a shop count once: several goods +1 in total, several bads −1 in total, several
  neutrals once. The 14 days run from the first order of a group; an order 14 days or
  more after it starts the next group.
- Within one calendar month (by order creation time, in settings.TIME_ZONE) the points
  one buyer gives one shop stay between −6 and +6: taken in order of order creation, a
  rating that would take the month's sum past a limit scores 0.
- Ratings that score 0 under these rules are kept and shown; they are not counted in the
  good-review rate either. Hidden reviews take no part at all, so hiding one may bring
  another review of the same buyer back under a limit.
- Detailed ratings (DSR): only the first three reviews of one buyer at one shop per
  calendar month count in the shop's averages.

Levels follow Taobao's published thresholds (hearts, diamonds, crowns, golden crowns).
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import ngettext

SAME_PRODUCT_WINDOW = timedelta(days=14)
MONTHLY_LIMIT = 6
DSR_PER_MONTH = 3

HEART, DIAMOND, CROWN, GOLDEN_CROWN = "heart", "diamond", "crown", "golden_crown"
SYMBOLS = {HEART: "♥", DIAMOND: "◆", CROWN: "♛", GOLDEN_CROWN: "♛"}

# (lowest score of the level, tier, how many symbols), highest first.
THRESHOLDS = [
    (10_000_001, GOLDEN_CROWN, 5),
    (5_000_001, GOLDEN_CROWN, 4),
    (2_000_001, GOLDEN_CROWN, 3),
    (1_000_001, GOLDEN_CROWN, 2),
    (500_001, GOLDEN_CROWN, 1),
    (200_001, CROWN, 5),
    (100_001, CROWN, 4),
    (50_001, CROWN, 3),
    (20_001, CROWN, 2),
    (10_001, CROWN, 1),
    (5_001, DIAMOND, 5),
    (2_001, DIAMOND, 4),
    (1_001, DIAMOND, 3),
    (501, DIAMOND, 2),
    (251, DIAMOND, 1),
    (151, HEART, 5),
    (91, HEART, 4),
    (41, HEART, 3),
    (11, HEART, 2),
    (4, HEART, 1),
]


@dataclass(frozen=True)
class Level:
    tier: str
    count: int
    score: int

    @property
    def symbols(self) -> str:
        return SYMBOLS[self.tier] * self.count

    @property
    def name(self) -> str:
        """ "2 diamonds", in the reader's language."""
        n = self.count
        if self.tier == HEART:
            return ngettext("%(n)d heart", "%(n)d hearts", n) % {"n": n}
        if self.tier == DIAMOND:
            return ngettext("%(n)d diamond", "%(n)d diamonds", n) % {"n": n}
        if self.tier == CROWN:
            return ngettext("%(n)d crown", "%(n)d crowns", n) % {"n": n}
        return ngettext("%(n)d golden crown", "%(n)d golden crowns", n) % {"n": n}

    @property
    def label(self) -> str:
        """ "2 diamonds (612)": the text alternative of the symbols."""
        return f"{self.name} ({self.score})"


def level_for(score: int) -> Level | None:
    """The badge for a credit score; None below 4 (no badge)."""
    for lowest, tier, count in THRESHOLDS:
        if score >= lowest:
            return Level(tier=tier, count=count, score=score)
    return None


@dataclass(frozen=True)
class SliceReview:
    """What the rules read of one review in a (buyer, shop) slice."""

    id: int
    product_id: int
    ordered_at: datetime
    rating: int
    hidden: bool = False


@dataclass(frozen=True)
class Scored:
    points: int
    counted: bool
    # Whether its detailed ratings (DSR) count: Taobao counts only the first
    # DSR_PER_MONTH reviews of one buyer at one shop per calendar month.
    dsr_counted: bool = False


NOT_COUNTED = Scored(points=0, counted=False)


def score_slice(reviews: Iterable[SliceReview]) -> dict[int, Scored]:
    """Points and counted flag of every review of one buyer at one shop (hidden ones
    included, as not counted). Deterministic: ties in time are broken by the review id."""
    reviews = list(reviews)
    result = dict.fromkeys((r.id for r in reviews), NOT_COUNTED)
    visible = sorted((r for r in reviews if not r.hidden), key=lambda r: (r.ordered_at, r.id))

    # Rule 1: one rating of each kind per product per 14 days.
    candidates: list[SliceReview] = []
    groups: dict[int, tuple[datetime, set[int]]] = {}
    for review in visible:
        start, seen = groups.get(review.product_id, (None, set()))
        if start is None or review.ordered_at >= start + SAME_PRODUCT_WINDOW:
            start, seen = review.ordered_at, set()
            groups[review.product_id] = (start, seen)
        if review.rating not in seen:
            seen.add(review.rating)
            candidates.append(review)

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def month_of(review: SliceReview) -> tuple[int, int]:
        local = review.ordered_at.astimezone(zone)
        return (local.year, local.month)

    # Detailed ratings: the first DSR_PER_MONTH visible reviews of each month count.
    dsr_in_month: dict[tuple[int, int], int] = defaultdict(int)
    dsr_ids = set()
    for review in visible:
        month = month_of(review)
        if dsr_in_month[month] < DSR_PER_MONTH:
            dsr_in_month[month] += 1
            dsr_ids.add(review.id)
    for review_id in dsr_ids:
        result[review_id] = Scored(points=0, counted=False, dsr_counted=True)

    # Rule 2: between −6 and +6 per calendar month (local time of the order).
    month_sums: dict[tuple[int, int], int] = defaultdict(int)
    for review in candidates:  # still in order of order creation
        month = month_of(review)
        total = month_sums[month] + review.rating
        if -MONTHLY_LIMIT <= total <= MONTHLY_LIMIT:
            month_sums[month] = total
            result[review.id] = Scored(
                points=review.rating, counted=True, dsr_counted=review.id in dsr_ids
            )
    return result


@dataclass(frozen=True)
class Totals:
    score: int = 0
    goods: int = 0
    neutrals: int = 0
    bads: int = 0

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(
            self.score + other.score,
            self.goods + other.goods,
            self.neutrals + other.neutrals,
            self.bads + other.bads,
        )

    def __sub__(self, other: "Totals") -> "Totals":
        return Totals(
            self.score - other.score,
            self.goods - other.goods,
            self.neutrals - other.neutrals,
            self.bads - other.bads,
        )


def totals_of(rows: Iterable[tuple[int, int, bool]]) -> Totals:
    """Sum (rating, points, counted) rows into a shop's credit figures."""
    score = goods = neutrals = bads = 0
    for rating, points, counted in rows:
        score += points
        if counted:
            goods += rating == 1
            neutrals += rating == 0
            bads += rating == -1
    return Totals(score, goods, neutrals, bads)
