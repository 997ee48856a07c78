"""Taobao's credit rules on plain rows: points, the two anti-inflation rules, levels."""

from datetime import UTC, datetime, timedelta

import pytest

from evillage.reviews.credit import (
    Scored,
    SliceReview,
    Totals,
    level_for,
    score_slice,
    totals_of,
)
from evillage.reviews.selectors import masked_name

T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
GOOD, NEUTRAL, BAD = 1, 0, -1


def rows(*specs) -> list[SliceReview]:
    """(product, days after T0, rating[, hidden]) -> reviews numbered from 1."""
    return [
        SliceReview(
            id=n,
            product_id=spec[0],
            ordered_at=T0 + timedelta(days=spec[1]),
            rating=spec[2],
            hidden=len(spec) > 3 and spec[3],
        )
        for n, spec in enumerate(specs, start=1)
    ]


def points(result: dict[int, Scored]) -> list[int]:
    return [result[key].points for key in sorted(result)]


def test_good_neutral_bad_score_plus_one_zero_minus_one():
    """Different products: every rating scores as it is."""
    result = score_slice(rows((1, 0, GOOD), (2, 0, NEUTRAL), (3, 0, BAD)))
    assert points(result) == [1, 0, -1]
    assert all(s.counted for s in result.values())


def test_same_product_within_14_days_counts_once_per_kind():
    """Three goods and two bads on one product within 14 days: +1 and −1 in total."""
    result = score_slice(
        rows((1, 0, GOOD), (1, 2, GOOD), (1, 5, BAD), (1, 13, GOOD), (1, 13.9, BAD))
    )
    assert points(result) == [1, 0, -1, 0, 0]
    assert [result[k].counted for k in sorted(result)] == [True, False, True, False, False]


def test_same_product_14_days_later_counts_again():
    """The 14 days run from the first order of a group: day 14 starts a new one."""
    result = score_slice(rows((1, 0, GOOD), (1, 13.99, GOOD), (1, 14, GOOD), (1, 20, GOOD)))
    assert points(result) == [1, 0, 1, 0]


def test_monthly_limit_of_six_points_per_buyer_and_shop():
    """Eight goods on eight products in one month: six score, the rest are kept at 0."""
    result = score_slice(rows(*[(p, p * 0.5, GOOD) for p in range(1, 9)]))
    assert points(result) == [1, 1, 1, 1, 1, 1, 0, 0]
    assert not result[7].counted


def test_monthly_limit_applies_to_bads_too_and_a_bad_makes_room():
    """Seven bads: −6. Then a good after six goods and one bad still counts (sum 6)."""
    assert sum(points(score_slice(rows(*[(p, 0, BAD) for p in range(1, 8)])))) == -6
    specs = [(p, 0.1 * p, GOOD) for p in range(1, 7)] + [(7, 1, BAD), (8, 2, GOOD)]
    assert points(score_slice(rows(*specs))) == [1, 1, 1, 1, 1, 1, -1, 1]


def test_the_month_is_the_calendar_month_in_the_site_time_zone(settings):
    """31 January 23:30 and 1 February 00:30 in Shanghai are two months, although both are
    31 January in UTC: each month has its own six points."""
    settings.TIME_ZONE = "Asia/Shanghai"
    late_january = datetime(2026, 1, 31, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    early_february = datetime(2026, 1, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 February
    reviews = [
        SliceReview(id=p, product_id=p, ordered_at=late_january, rating=GOOD) for p in range(1, 7)
    ] + [SliceReview(id=7, product_id=7, ordered_at=early_february, rating=GOOD)]
    assert points(score_slice(reviews)) == [1] * 7
    settings.TIME_ZONE = "UTC"  # the same orders in one UTC month: the 7th is over the limit
    assert points(score_slice(reviews)) == [1] * 6 + [0]


def test_hidden_reviews_take_no_part_and_free_room_under_the_limits():
    """Hiding the first good of a product lets the second one count."""
    assert points(score_slice(rows((1, 0, GOOD), (1, 1, GOOD)))) == [1, 0]
    assert points(score_slice(rows((1, 0, GOOD, True), (1, 1, GOOD)))) == [0, 1]


def test_ties_in_time_are_broken_by_review_id():
    """Two orders created at the same instant: the earlier review counts, every time."""
    first = score_slice(rows((1, 0, GOOD), (1, 0, GOOD)))
    assert points(first) == [1, 0]


def test_totals_count_only_counted_ratings():
    result = score_slice(rows((1, 0, GOOD), (1, 1, GOOD), (2, 0, NEUTRAL), (3, 0, BAD)))
    ratings = {1: GOOD, 2: GOOD, 3: NEUTRAL, 4: BAD}
    totals = totals_of((ratings[k], s.points, s.counted) for k, s in result.items())
    assert totals == Totals(score=0, goods=1, neutrals=1, bads=1)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (-5, None),
        (0, None),
        (3, None),
        (4, "1 heart (4)"),
        (10, "1 heart (10)"),
        (11, "2 hearts (11)"),
        (40, "2 hearts (40)"),
        (41, "3 hearts (41)"),
        (90, "3 hearts (90)"),
        (91, "4 hearts (91)"),
        (150, "4 hearts (150)"),
        (151, "5 hearts (151)"),
        (250, "5 hearts (250)"),
        (251, "1 diamond (251)"),
        (500, "1 diamond (500)"),
        (501, "2 diamonds (501)"),
        (1000, "2 diamonds (1000)"),
        (1001, "3 diamonds (1001)"),
        (2000, "3 diamonds (2000)"),
        (2001, "4 diamonds (2001)"),
        (5000, "4 diamonds (5000)"),
        (5001, "5 diamonds (5001)"),
        (10000, "5 diamonds (10000)"),
        (10001, "1 crown (10001)"),
        (20000, "1 crown (20000)"),
        (20001, "2 crowns (20001)"),
        (50000, "2 crowns (50000)"),
        (50001, "3 crowns (50001)"),
        (100000, "3 crowns (100000)"),
        (100001, "4 crowns (100001)"),
        (200000, "4 crowns (200000)"),
        (200001, "5 crowns (200001)"),
        (500000, "5 crowns (500000)"),
        (500001, "1 golden crown (500001)"),
        (1000000, "1 golden crown (1000000)"),
        (1000001, "2 golden crowns (1000001)"),
        (2000000, "2 golden crowns (2000000)"),
        (2000001, "3 golden crowns (2000001)"),
        (5000000, "3 golden crowns (5000000)"),
        (5000001, "4 golden crowns (5000001)"),
        (10000000, "4 golden crowns (10000000)"),
        (10000001, "5 golden crowns (10000001)"),
        (99999999, "5 golden crowns (99999999)"),
    ],
)
def test_levels_at_taobao_thresholds(score, expected):
    level = level_for(score)
    assert (level.label if level else None) == expected


def test_level_symbols():
    assert level_for(612).symbols == "◆◆"
    assert level_for(4).symbols == "♥"
    assert level_for(20001).symbols == "♛♛"


@pytest.mark.parametrize(
    ("name", "shown"),
    [("王小明", "王***"), ("alice1", "a***1"), ("Li", "L***"), ("", "***")],
)
def test_anonymous_names_are_masked(name, shown):
    assert masked_name(name) == shown
