"""The interface every payment provider adapter implements."""

from dataclasses import dataclass
from typing import Protocol

from evillage.payments.models import Payment, Payout


@dataclass(frozen=True)
class PayoutResult:
    ok: bool
    provider_ref: str = ""
    reason: str = ""


class PaymentProvider(Protocol):
    name: str

    def start_url(self, *, payment: Payment, return_url: str = "") -> str:
        """Where to send the payer to complete this pending payment; afterwards the
        provider sends the payer to `return_url` (a local path) if given."""

    def refund(self, *, payment: Payment, amount: int) -> str:
        """Return `amount` of a succeeded payment to the payer; the provider's refund id."""

    def send_payout(self, *, payout: Payout, account_number: str) -> PayoutResult:
        """Pay money out to a bank account (the full number is only passed, never stored).

        Our payout's public id is the provider's idempotency key: sending the same payout
        twice pays once. Raises when the outcome is unknown (timeout, network error)."""

    def payout_status(self, *, payout: Payout) -> PayoutResult | None:
        """How an earlier `send_payout` of this payout ended; None while the provider does
        not know yet. A payout the provider never received counts as failed."""
