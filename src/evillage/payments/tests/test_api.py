"""The wallet API: balances, statement, idempotent top-ups and withdrawals, payments."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from evillage.accounts.services.tokens import api_token_create
from evillage.accounts.tests.factories import UserFactory
from evillage.core.models import IdempotencyKey
from evillage.payments.models import Payment, Payout
from evillage.payments.services import payout_request, topup_start
from evillage.payments.tests.conftest import assert_books_balance, fund, wallet_balance

pytestmark = pytest.mark.django_db

BANK = {
    "bank_account_name": "Li Wei",
    "bank_account_number": "6222020212345678",
    "bank_name": "ICBC",
}


@pytest.fixture
def api(payer):
    token = api_token_create(user=payer)[1]

    class Api:
        def get(self, url, **params):
            return Client().get(url, params, headers={"Authorization": f"Bearer {token}"})

        def post(self, url, body, *, key="key-1"):
            headers = {"Authorization": f"Bearer {token}"}
            if key is not None:
                headers["Idempotency-Key"] = key
            return Client().post(url, json.dumps(body), "application/json", headers=headers)

    return Api()


def test_the_wallet_lists_balances_per_currency(api, payer):
    fund(payer, 1500)
    fund(payer, 200_000, currency="IDR")

    response = api.get("/api/wallet")

    assert response.status_code == 200
    assert response.json() == {
        "wallets": [{"currency": "CNY", "balance": 1500}, {"currency": "IDR", "balance": 200_000}]
    }


def test_the_wallet_needs_a_user():
    assert Client().get("/api/wallet").status_code == 401


def test_the_statement_is_newest_first_with_running_balances(api, payer):
    for amount in (100, 200, 300):
        fund(payer, amount)
    api.post("/api/wallet/withdrawals", {"amount": 50, "currency": "CNY", **BANK})

    response = api.get("/api/wallet/statement", currency="CNY", page_size=3)

    body = response.json()
    assert body["count"] == 4
    assert [(e["amount"], e["balance_after"], e["kind"]) for e in body["items"]] == [
        (-50, 550, "payout"),
        (300, 600, "topup"),
        (200, 300, "topup"),
    ]
    assert body["items"][0]["counterpart"] == "Bank account"
    second = api.get("/api/wallet/statement", currency="CNY", page_size=3, page=2).json()
    assert [e["balance_after"] for e in second["items"]] == [100]


def test_a_statement_of_an_unused_currency_is_empty(api):
    assert api.get("/api/wallet/statement", currency="IDR").json() == {"items": [], "count": 0}
    assert api.get("/api/wallet/statement", currency="EUR").status_code == 400


def test_a_top_up_returns_the_payment_and_where_to_pay(api, payer, client):
    response = api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})

    assert response.status_code == 201
    body = response.json()
    payment = Payment.objects.get(public_id=body["id"])
    assert (body["state"], body["purpose"], body["amount"]) == ("pending", "topup", 2500)
    assert body["pay_url"] == f"http://testserver/pay/sandbox/{payment.public_id}/"
    # The user pays there; the wallet is credited.
    client.force_login(payer)
    client.post(body["pay_url"], {"action": "pay"})
    assert wallet_balance(payer) == 2500
    assert api.get(f"/api/payments/{payment.public_id}").json()["state"] == "succeeded"
    assert api.get(f"/api/payments/{payment.public_id}").json()["pay_url"] is None


def test_a_top_up_may_name_a_local_return_url_only(api):
    ok = api.post(
        "/api/wallet/topups",
        {"amount": 100, "currency": "CNY", "return_url": "/orders/"},
        key="a",
    )
    bad = api.post(
        "/api/wallet/topups",
        {"amount": 100, "currency": "CNY", "return_url": "https://evil.example/"},
        key="b",
    )

    assert ok.json()["pay_url"].endswith("?next=%2Forders%2F")
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_return_url"


@pytest.mark.parametrize(
    "body",
    [
        {"amount": 0, "currency": "CNY"},
        {"amount": 100, "currency": "USD"},
        {"amount": 150, "currency": "IDR"},
        {"amount": 100, "currency": "CNY", "provider": "paypal"},
    ],
)
def test_a_bad_top_up_is_refused(api, body):
    response = api.post("/api/wallet/topups", body)

    assert response.status_code in (400, 422)
    assert not Payment.objects.exists()


def test_a_retried_top_up_returns_the_same_payment(api):
    first = api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})

    retry = api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api):
    api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})

    response = api.post("/api/wallet/topups", {"amount": 9900, "currency": "CNY"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_money_moving_calls_need_an_idempotency_key(api, payer):
    fund(payer, 1000)

    topup = api.post("/api/wallet/topups", {"amount": 100, "currency": "CNY"}, key=None)
    withdrawal = api.post(
        "/api/wallet/withdrawals", {"amount": 100, "currency": "CNY", **BANK}, key=None
    )

    assert topup.status_code == withdrawal.status_code == 400
    assert not Payment.objects.exists() and not Payout.objects.exists()


def crash_after_effects(payer):
    """As if the process died after the operation committed, before its answer was stored:
    the claim stays in progress and becomes stale."""
    IdempotencyKey.objects.filter(user=payer).update(
        state=IdempotencyKey.State.IN_PROGRESS,
        response_status=None,
        response_body="",
        completed_at=None,
        locked_at=timezone.now() - timedelta(minutes=10),
    )


def test_a_takeover_after_a_crash_answers_from_the_top_up_already_made(api, payer):
    first = api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})
    crash_after_effects(payer)

    retry = api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})

    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry  # it ran again (attempt 2) ...
    assert IdempotencyKey.objects.get().attempt == 2
    assert retry.json()["id"] == first.json()["id"]  # ... and found its own payment
    assert Payment.objects.count() == 1


def test_a_key_reused_after_it_expired_makes_a_new_top_up(api, payer):
    first = api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))

    again = api.post("/api/wallet/topups", {"amount": 2500, "currency": "CNY"})

    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]


def test_a_withdrawal_pays_out_and_a_retry_does_not_pay_twice(api, payer):
    fund(payer, 10_000)
    body = {"amount": 3000, "currency": "CNY", **BANK}

    first = api.post("/api/wallet/withdrawals", body)
    retry = api.post("/api/wallet/withdrawals", body)
    crash_after_effects(payer)
    takeover = api.post("/api/wallet/withdrawals", body)

    assert first.status_code == 201
    assert first.json()["state"] == "paid"
    assert first.json()["bank_account_number"] == "•••• 5678"
    assert retry.json() == first.json()
    assert takeover.json()["id"] == first.json()["id"]
    assert Payout.objects.count() == 1
    assert wallet_balance(payer) == 7000
    assert_books_balance()


def test_a_withdrawal_above_the_balance_is_409_and_replayed_as_such(api, payer):
    fund(payer, 100)
    body = {"amount": 3000, "currency": "CNY", **BANK}

    response = api.post("/api/wallet/withdrawals", body)
    retry = api.post("/api/wallet/withdrawals", body)

    assert response.status_code == retry.status_code == 409
    assert response.json()["code"] == "insufficient_funds"
    assert not Payout.objects.exists()


def test_the_withdrawals_list_shows_only_mine(api, payer):
    fund(payer, 10_000)
    api.post("/api/wallet/withdrawals", {"amount": 100, "currency": "CNY", **BANK})
    other = UserFactory()
    fund(other, 1000)
    payout_request(owner=other, amount=100, currency="CNY", **BANK)

    body = api.get("/api/wallet/withdrawals").json()

    assert body["count"] == 1


def test_a_payment_is_visible_to_its_payer_only(api, payer):
    other = UserFactory()
    mine = topup_start(payer=payer, amount=100, currency="CNY")
    theirs = topup_start(payer=other, amount=100, currency="CNY")

    assert api.get(f"/api/payments/{mine.public_id}").status_code == 200
    response = api.get(f"/api/payments/{theirs.public_id}")
    assert response.status_code == 404
    assert response.json()["code"] == "payment_not_found"
