"""Real threads on PostgreSQL: two submits of one review, reviews racing a hide."""

import pytest
from django.db import connection

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.core.tests import threads
from evillage.orders.tests.factories import make_shop, make_sku
from evillage.reviews.models import Review, ShopCredit
from evillage.reviews.services import credit_rebuild, review_hide
from evillage.reviews.tests.helpers import finished_order, review

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(jobs: list) -> list:
    """threads.run_together, with "ok" for a job that returned (the tests compare codes)."""
    return [outcome if isinstance(outcome, str) else "ok" for outcome in threads.run_together(jobs)]


def test_two_submits_of_one_review_make_one_review_and_one_clear_error():
    """A double-tapped "Publish": one review, one already_reviewed, the credit once."""
    order = finished_order()
    outcomes = run_together([lambda: review(order) for _ in range(4)])
    assert sorted(outcomes) == ["already_reviewed"] * 3 + ["ok"]
    assert Review.objects.count() == 1
    assert ShopCredit.objects.get(shop=order.shop).score == 1


def test_many_buyers_reviewing_one_shop_while_an_operator_hides_keep_the_credit_exact():
    """Eight buyers review one shop at once while an operator hides an earlier review;
    the stored credit equals a rebuild from the reviews."""
    shop = make_shop()
    sku = make_sku(shop=shop, available=100)
    early = review(finished_order(sku=sku), rating="bad", text="差")
    orders = [finished_order(buyer=UserFactory(), sku=sku) for _ in range(8)]
    operator = OperatorFactory()
    jobs = [lambda o=o: review(o) for o in orders]
    jobs.append(lambda: review_hide(review=early, actor=operator, reason="恶意差评"))
    assert run_together(jobs) == ["ok"] * 9
    assert ShopCredit.objects.get(shop=shop).score == 8
    assert credit_rebuild() == []
