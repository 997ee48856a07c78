"""The built-in sandbox provider: a hosted page where the payer pays, fails or abandons.

Pressing a button on the page (payments.views.sandbox_page) plays the provider's part:
it builds the webhook event, signs it with SANDBOX_WEBHOOK_SECRET and delivers it to our
receiver in-process, through the same verification as a delivery over HTTP.
"""

import secrets
import time

from django.urls import reverse
from django.utils.http import urlencode

from evillage.payments.models import Payment, Payout
from evillage.payments.providers.base import PayoutResult

# Button -> webhook event type.
OUTCOMES = {
    "pay": "payment.succeeded",
    "fail": "payment.failed",
    "abandon": "payment.abandoned",
}


class SandboxProvider:
    name = "sandbox"

    def start_url(self, *, payment: Payment, return_url: str = "") -> str:
        url = reverse("payments:sandbox_page", args=[payment.public_id])
        return f"{url}?{urlencode({'next': return_url})}" if return_url else url

    def refund(self, *, payment: Payment, amount: int) -> str:
        return f"sandbox-refund-{payment.public_id}-{amount}"

    def send_payout(self, *, payout: Payout, account_number: str) -> PayoutResult:
        return PayoutResult(ok=True, provider_ref=f"sandbox-payout-{payout.public_id}")

    def payout_status(self, *, payout: Payout) -> PayoutResult | None:
        # The sandbox pays every payout it is asked about.
        return PayoutResult(ok=True, provider_ref=f"sandbox-payout-{payout.public_id}")

    def deliver_event(self, *, payment: Payment, action: str):
        """Send the webhook for the payer's button ("pay", "fail", "abandon"); returns
        the receiver's WebhookResult."""
        from evillage.payments.services.webhooks import (
            event_body,
            signature_header,
            webhook_receive,
            webhook_secret,
        )

        timestamp = int(time.time())
        body = event_body(
            {
                "id": f"evt_{secrets.token_hex(12)}",
                "type": OUTCOMES[action],
                "created": timestamp,
                "payment_id": payment.public_id,
                "provider_ref": f"sbx_{payment.public_id}",
                "amount": payment.amount,
                "currency": payment.currency,
            }
        )
        signature = signature_header(
            body=body, secret=webhook_secret(self.name), timestamp=timestamp
        )
        return webhook_receive(
            provider=self.name, body=body, signature=signature, remote_addr="sandbox"
        )
