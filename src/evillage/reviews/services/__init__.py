"""Writes of reviews: create, follow up, reply, hide and unhide; the credit they make.

Every change runs in one transaction that first locks the shop's ShopCredit row (created
on first use), so the changes of one shop's reviews run one after another; it then
rescores only the (buyer, shop) slice the change touched (evillage.reviews.credit) and
adds the difference to ShopCredit. `credit_rebuild` recomputes everything and reports
what had drifted.
"""

from evillage.reviews.services.credit import Drift, credit_rebuild
from evillage.reviews.services.reviews import (
    review_create,
    review_follow_up,
    review_hide,
    review_reply,
    review_unhide,
)
from evillage.reviews.services.rules import (
    REASON_MIN,
    TEXT_MAX,
    check_can_follow_up,
    check_can_reply,
    check_can_review,
    followup_deadline,
    review_deadline,
)

__all__ = [
    "REASON_MIN",
    "TEXT_MAX",
    "Drift",
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
