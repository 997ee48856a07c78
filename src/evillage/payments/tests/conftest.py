import time

import pytest
from django.conf import settings

from evillage.accounts.tests.factories import UserFactory
from evillage.ledger.models import AccountKind, TransferKind
from evillage.ledger.selectors import ledger_audit
from evillage.ledger.services import account_platform, account_wallet, transfer_create
from evillage.payments.services import topup_start
from evillage.payments.services.webhooks import event_body, signature_header

WEBHOOK_URL = "/api/payments/webhooks/sandbox"


def sandbox_event(payment, *, event_id="evt_1", type="payment.succeeded", **overrides) -> bytes:
    """The body the sandbox provider would send about `payment`."""
    fields = {
        "id": event_id,
        "type": type,
        "created": int(time.time()),
        "payment_id": payment.public_id,
        "provider_ref": f"sbx_{payment.public_id}",
        "amount": payment.amount,
        "currency": payment.currency,
    }
    fields.update(overrides)
    return event_body(fields)


def sign(body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
    return signature_header(
        body=body,
        secret=settings.SANDBOX_WEBHOOK_SECRET if secret is None else secret,
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )


def wallet_balance(user, currency="CNY") -> int:
    return account_wallet(user=user, currency=currency).balance


def fund(user, amount: int, currency="CNY") -> None:
    """Money already in the user's wallet (as a settled top-up would leave it)."""
    transfer_create(
        debit=account_platform(kind=AccountKind.CLEARING, currency=currency),
        credit=account_wallet(user=user, currency=currency),
        amount=amount,
        kind=TransferKind.TOPUP,
    )


def assert_books_balance() -> None:
    audit = ledger_audit()
    assert audit.ok, audit


@pytest.fixture
def payer(db):
    return UserFactory()


@pytest.fixture
def topup(payer):
    """A pending ¥25.00 top-up through the sandbox."""
    return topup_start(payer=payer, amount=2500, currency="CNY")
