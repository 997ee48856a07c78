"""Writes of the payments app: payments (payments.py), webhooks, top-ups, payouts.

Provider calls never happen under a database lock; see each module's docstring.
"""

from evillage.payments.services.payments import (
    PurposeHandler,
    check_amount,
    clearing_account,
    payment_create_provider,
    payment_fail,
    payment_get,
    payment_pay_url,
    payment_record_wallet,
    payment_source_account,
    payment_succeed,
    refund_leg,
    register_purpose,
)
from evillage.payments.services.payouts import (
    PAYOUT_RESUME_AFTER,
    payout_request,
    payout_resume,
    payouts_resume_pending,
)
from evillage.payments.services.topups import settle_topup_payment, topup_start
from evillage.payments.services.webhooks import (
    SIGNATURE_HEADER,
    WebhookResult,
    webhook_receive,
)

__all__ = [
    "PAYOUT_RESUME_AFTER",
    "SIGNATURE_HEADER",
    "PurposeHandler",
    "WebhookResult",
    "check_amount",
    "clearing_account",
    "payment_create_provider",
    "payment_fail",
    "payment_get",
    "payment_pay_url",
    "payment_record_wallet",
    "payment_source_account",
    "payment_succeed",
    "payout_request",
    "payout_resume",
    "payouts_resume_pending",
    "refund_leg",
    "register_purpose",
    "settle_topup_payment",
    "topup_start",
    "webhook_receive",
]
