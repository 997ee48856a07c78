"""Payments API: the wallet (balances, statement, top-ups, withdrawals), a payer's payments,
and the providers' webhook receiver.

Money-moving operations are @idempotent. They stamp the rows they create with the claimed
key (`_stamp`), so a retry that takes over a crashed attempt (attempt > 1) finds the row
the crashed attempt made and answers from it instead of making another.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from evillage.accounts.api_auth import USER_AUTH
from evillage.core.api_schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    BoundedPageNumberPagination,
    ErrorOut,
)
from evillage.core.errors import NotFound, ValidationFailed
from evillage.core.idempotency import idempotent
from evillage.core.money import SUPPORTED_CURRENCIES
from evillage.core.net import client_ip
from evillage.payments import selectors, services
from evillage.payments.models import Payment, PaymentMethod, PaymentState, Payout

router = Router(tags=["payments"])


class WalletOut(Schema):
    currency: str
    balance: int = Field(description="Minor units (fen, sen).")


class WalletsOut(Schema):
    wallets: list[WalletOut]


class StatementEntryOut(Schema):
    id: str
    created_at: datetime
    kind: str
    amount: int = Field(description="Signed: + into the wallet, - out of it.")
    balance_after: int
    currency: str
    counterpart: str
    reference: str
    memo: str

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.public_id

    @staticmethod
    def resolve_amount(obj) -> int:
        return obj.signed_amount

    @staticmethod
    def resolve_counterpart(obj) -> str:
        return selectors.counterpart(obj)


class PaymentOut(Schema):
    id: str
    purpose: str
    reference: str
    method: str
    provider: str
    amount: int
    currency: str
    state: str
    refunded: int
    created_at: datetime
    settled_at: datetime | None
    pay_url: str | None = Field(None, description="Where the payer pays, while pending.")

    @staticmethod
    def resolve_id(obj: Payment) -> str:
        return obj.public_id

    @staticmethod
    def resolve_pay_url(obj: Payment, context) -> str | None:
        if obj.method != PaymentMethod.PROVIDER or obj.state != PaymentState.PENDING:
            return None
        url = services.payment_pay_url(payment=obj, return_url=getattr(obj, "return_url", ""))
        return context["request"].build_absolute_uri(url)


class TopUpIn(Schema):
    amount: int = Field(gt=0, description="Minor units.")
    currency: str
    provider: str = "sandbox"
    return_url: str = Field("", description="A path on this site to come back to.")


class WithdrawalIn(Schema):
    amount: int = Field(gt=0, description="Minor units.")
    currency: str
    bank_account_name: str = Field(max_length=200)
    bank_account_number: str = Field(max_length=60)
    bank_name: str = Field(max_length=200)


class PayoutOut(Schema):
    id: str
    amount: int
    currency: str
    state: str
    bank_account_name: str
    bank_account_number: str = Field(description="Masked: only the last four digits.")
    bank_name: str
    failure_reason: str
    created_at: datetime
    settled_at: datetime | None

    @staticmethod
    def resolve_id(obj: Payout) -> str:
        return obj.public_id


class WebhookOut(Schema):
    status: str = Field(description="accepted or duplicate")
    message: str


def _stamp(request: HttpRequest) -> str:
    """What the created row is stamped with: unique per claimed key (a key may be reused
    once its claim expired), the same for every attempt of that claim."""
    record = request.idempotency_key
    return f"{record.pk}:{record.key}"[:255]


def _currency(request: HttpRequest, currency: str | None) -> str:
    if currency is None:
        wallets = selectors.wallets_of(user=request.auth)
        return wallets[0].currency if wallets else selectors.default_currency(user=request.auth)
    if currency not in SUPPORTED_CURRENCIES:
        raise ValidationFailed(_("Unsupported currency."), code="bad_currency", field="currency")
    return currency


@router.get("/wallet", response={200: WalletsOut, 401: ErrorOut}, auth=USER_AUTH)
def wallet_balances(request):
    """The signed-in user's wallets, one per currency used so far."""
    return {"wallets": selectors.wallets_of(user=request.auth)}


@router.get(
    "/wallet/statement",
    response={200: list[StatementEntryOut], frozenset({401, *READ_ERRORS}): ErrorOut},
    auth=USER_AUTH,
)
@paginate(BoundedPageNumberPagination, page_size=20)
def wallet_statement(request, currency: str | None = None):
    """The wallet's transfers, newest first, with the balance after each."""
    currency = _currency(request, currency)
    return selectors.wallet_statement(
        wallet=selectors.wallet_of(user=request.auth, currency=currency)
    )


@router.post("/wallet/topups", response={201: PaymentOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH)
@idempotent
def wallet_topup(request, payload: TopUpIn):
    """Start a top-up: send the user to `pay_url`; the wallet is credited when the
    provider reports the payment succeeded."""
    if payload.return_url and not (
        payload.return_url.startswith("/")
        and url_has_allowed_host_and_scheme(payload.return_url, None)
    ):
        raise ValidationFailed(
            _("The return URL must be a path on this site."), code="bad_return_url"
        )
    payment = services.topup_start(
        payer=request.auth,
        amount=payload.amount,
        currency=payload.currency,
        provider=payload.provider,
        idempotency_key=_stamp(request),
    )
    payment.return_url = payload.return_url
    return Status(201, payment)


@router.post(
    "/wallet/withdrawals", response={201: PayoutOut, WRITE_ERRORS: ErrorOut}, auth=USER_AUTH
)
@idempotent
def wallet_withdraw(request, payload: WithdrawalIn):
    """Withdraw to a bank account. The answer's state is `paid`, `failed` (the money is
    back in the wallet) or `pending` (the provider's answer is not known yet)."""
    payout = services.payout_request(
        owner=request.auth,
        amount=payload.amount,
        currency=payload.currency,
        bank_account_name=payload.bank_account_name,
        bank_account_number=payload.bank_account_number,
        bank_name=payload.bank_name,
        idempotency_key=_stamp(request),
    )
    return Status(201, payout)


@router.get(
    "/wallet/withdrawals",
    response={200: list[PayoutOut], frozenset({401, *READ_ERRORS}): ErrorOut},
    auth=USER_AUTH,
)
@paginate(BoundedPageNumberPagination, page_size=20)
def wallet_withdrawals(request):
    return selectors.payouts_of(user=request.auth)


@router.get(
    "/payments/{public_id}",
    response={200: PaymentOut, frozenset({401, *READ_ERRORS}): ErrorOut},
    auth=USER_AUTH,
)
def payment_detail(request, public_id: str):
    """One of the signed-in user's payments (404 for anyone else's)."""
    payment = selectors.payment_of_payer(user=request.auth, public_id=public_id)
    if payment is None:
        raise NotFound(_("Payment not found."), code="payment_not_found")
    return payment


@router.post(
    "/payments/webhooks/{provider}",
    auth=None,
    response={200: WebhookOut, frozenset({400, 404, 500}): ErrorOut},
)
def payment_webhook(request, provider: str):
    """Where a payment provider reports payments: a JSON event signed in the header
    `Evillage-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

    200 accepted (or duplicate: already processed, no effect); 400 malformed, bad
    signature or stale timestamp; 404 unknown payment or provider; 500: retry later.
    """
    result = services.webhook_receive(
        provider=provider,
        body=request.body,
        signature=request.headers.get(services.SIGNATURE_HEADER, ""),
        remote_addr=client_ip(request) or "",
    )
    if result.status == 200:
        return Status(200, {"status": result.outcome, "message": result.message})
    return Status(result.status, {"code": result.code, "message": result.message})
