import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import OperatorFactory
from evillage.payments.models import Payout
from evillage.payments.providers.sandbox import SandboxProvider
from evillage.payments.services import payout_request
from evillage.payments.tests.conftest import fund, sandbox_event, sign, wallet_balance

pytestmark = pytest.mark.django_db

BANK = {
    "bank_account_name": "Li Wei",
    "bank_account_number": "6222020212345678",
    "bank_name": "ICBC",
}


@pytest.fixture
def operator(client):
    client.force_login(OperatorFactory())
    return client


def test_operators_read_a_payment_with_its_history_and_webhooks(operator, topup):
    SandboxProvider().deliver_event(payment=topup, action="pay")

    detail = operator.get(reverse("admin:payments_payment_change", args=[topup.pk]))

    assert detail.status_code == 200
    assert 'name="_save"' not in detail.text
    assert "succeeded" in detail.text and "evt_" in detail.text
    assert operator.get(reverse("admin:payments_payment_add")).status_code == 403
    listing = operator.get(reverse("admin:payments_payment_changelist"), {"q": topup.public_id})
    assert topup.public_id in listing.text


def test_operators_filter_webhook_deliveries_by_outcome(operator, client, topup):
    body = sandbox_event(topup, event_id="evt_forged")
    client.post(
        "/api/payments/webhooks/sandbox",
        body,
        content_type="application/json",
        headers={"Evillage-Signature": sign(body, secret="wrong")},
    )
    SandboxProvider().deliver_event(payment=topup, action="pay")
    url = reverse("admin:payments_webhookdelivery_changelist")

    bad = operator.get(url, {"outcome__exact": "bad_signature"})
    accepted = operator.get(url, {"outcome__exact": "accepted", "provider__exact": "sandbox"})

    assert "evt_forged" in bad.text and "evt_forged" not in accepted.text
    assert accepted.status_code == 200


def test_operators_can_finish_a_stuck_payout(operator, payer, monkeypatch):
    fund(payer, 5000)

    def down(self, *, payout, account_number):
        raise ConnectionError

    monkeypatch.setattr(SandboxProvider, "send_payout", down)
    payout = payout_request(owner=payer, amount=1000, currency="CNY", **BANK)
    monkeypatch.undo()

    response = operator.post(
        reverse("admin:payments_payout_changelist"),
        {"action": "resume_pending", "_selected_action": [payout.pk]},
        follow=True,
    )

    assert "1 payout finished." in response.text
    assert Payout.objects.get().state == "paid"
    assert wallet_balance(payer) == 4000
