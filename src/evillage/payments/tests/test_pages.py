"""Wallet pages and the sandbox provider's page, driven as a person would with a browser
without JavaScript: forms, buttons and redirects."""

import re

import pytest
from django.urls import reverse

from evillage.accounts.tests.factories import UserFactory
from evillage.ledger.models import Transfer
from evillage.payments.models import Payment, PaymentState, Payout, WebhookDelivery
from evillage.payments.providers.base import PayoutResult
from evillage.payments.providers.sandbox import SandboxProvider
from evillage.payments.services import payment_create_provider
from evillage.payments.services import payments as payment_services
from evillage.payments.tests.conftest import assert_books_balance, fund, wallet_balance

pytestmark = pytest.mark.django_db

WALLET = "/wallet/"


def form_token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


def start_topup(client, amount="25.00", currency="CNY"):
    """Fill in the top-up form; returns the response (a redirect to the provider)."""
    token = form_token(client.get(reverse("payments:topup")))
    return client.post(
        reverse("payments:topup"), {"amount": amount, "currency": currency, "token": token}
    )


@pytest.fixture
def logged_in(client, payer):
    client.force_login(payer)
    return client


def test_the_header_links_to_the_wallet_when_logged_in(logged_in):
    assert f'href="{WALLET}"' in logged_in.get("/").text


def test_top_up_through_the_sandbox_page_fills_the_wallet(logged_in, payer):
    to_provider = start_topup(logged_in)

    assert to_provider.status_code == 302
    page = logged_in.get(to_provider.url)
    assert page.status_code == 200
    assert "CN¥25.00" in page.text
    payment = Payment.objects.get(payer=payer)
    assert payment.state == PaymentState.PENDING

    back = logged_in.post(to_provider.url, {"action": "pay", "next": WALLET}, follow=True)

    assert back.redirect_chain[-1][0] == WALLET
    assert "Payment received." in back.text
    assert wallet_balance(payer) == 2500
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    # The signed event went through the receiver like any webhook.
    assert WebhookDelivery.objects.get().outcome == "accepted"
    transfer = Transfer.objects.get()
    assert (transfer.kind, transfer.reference) == ("topup", f"payment:{payment.public_id}")
    assert_books_balance()
    # The statement shows the top-up with the running balance.
    assert "+CN¥25.00" in back.text
    assert "Top-up" in back.text


@pytest.mark.parametrize("action", ["fail", "abandon"])
def test_failing_or_abandoning_on_the_sandbox_page_leaves_the_balance(logged_in, payer, action):
    to_provider = start_topup(logged_in)

    back = logged_in.post(to_provider.url, {"action": action}, follow=True)

    assert "No money was taken." in back.text
    assert wallet_balance(payer) == 0
    expected = PaymentState.FAILED if action == "fail" else PaymentState.ABANDONED
    assert Payment.objects.get(payer=payer).state == expected
    assert_books_balance()


def test_pressing_pay_twice_pays_once(logged_in, payer):
    url = start_topup(logged_in).url
    logged_in.post(url, {"action": "pay"})

    again = logged_in.post(url, {"action": "pay"}, follow=True)

    assert "already closed" in again.text
    assert wallet_balance(payer) == 2500


def test_a_resent_top_up_form_makes_one_payment(logged_in, payer):
    token = form_token(logged_in.get(reverse("payments:topup")))
    data = {"amount": "25", "currency": "CNY", "token": token}

    first = logged_in.post(reverse("payments:topup"), data)
    second = logged_in.post(reverse("payments:topup"), data)

    assert first.url == second.url
    assert Payment.objects.filter(payer=payer).count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "greater than zero"), ("12,50", "such as 12.50"), ("1.234", "decimal places")],
)
def test_a_bad_top_up_amount_is_shown_on_the_form(logged_in, payer, amount, message):
    response = start_topup(logged_in, amount=amount)

    assert response.status_code == 200
    assert message in response.text
    assert not Payment.objects.exists()


def test_only_the_payer_sees_and_uses_the_sandbox_page(client, payer, topup):
    url = reverse("payments:sandbox_page", args=[topup.public_id])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "pay"}).status_code == 404
    topup.refresh_from_db()
    assert topup.state == PaymentState.PENDING


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_the_sandbox_page_returns_only_to_local_pages(logged_in, topup, next_url):
    url = reverse("payments:sandbox_page", args=[topup.public_id])

    response = logged_in.post(url, {"action": "abandon", "next": next_url})

    assert response.url == f"{WALLET}?currency=CNY"


def test_after_paying_a_checkout_the_buyer_lands_on_the_orders_page(logged_in, payer, monkeypatch):
    monkeypatch.setitem(payment_services._HANDLERS, "checkout", lambda payment: None)
    payment = payment_create_provider(
        payer=payer, purpose="checkout", reference="ck1", amount=990, currency="CNY"
    )
    url = SandboxProvider().start_url(payment=payment)

    response = logged_in.post(url, {"action": "pay"})

    assert response.url == "/orders/"


def test_a_safe_next_is_kept_through_the_page(logged_in, topup):
    url = SandboxProvider().start_url(payment=topup, return_url="/orders/abc/")

    page = logged_in.get(url)
    response = logged_in.post(url, {"action": "pay", "next": "/orders/abc/"})

    assert 'value="/orders/abc/"' in page.text
    assert response.url == "/orders/abc/"


def test_the_wallet_page_shows_balance_and_statement_newest_first(logged_in, payer, settings):
    fund(payer, 10_000)
    logged_in.post(
        reverse("payments:withdraw"),
        {
            "amount": "30",
            "currency": "CNY",
            "token": "t" * 20,
            "bank_account_name": "Li Wei",
            "bank_account_number": "6222 0202 1234 5678",
            "bank_name": "ICBC",
        },
    )

    page = logged_in.get(WALLET)

    assert page.status_code == 200
    assert "CN¥70.00" in page.text
    statement = page.text[page.text.index("Statement") :]
    assert statement.index("-CN¥30.00") < statement.index("+CN¥100.00")
    assert "•••• 5678" in page.text
    assert "6222020212345678" not in page.text


def test_the_statement_is_paginated(logged_in, payer):
    for _ in range(25):
        fund(payer, 100)

    first = logged_in.get(WALLET)
    second = logged_in.get(WALLET, {"page": 2})

    assert first.text.count("+CN¥1.00") == 20
    assert second.text.count("+CN¥1.00") == 5
    assert "Page 2 of 2" in second.text


def test_withdrawing_from_the_page_pays_the_bank(logged_in, payer):
    fund(payer, 5000)
    token = form_token(logged_in.get(reverse("payments:withdraw")))

    response = logged_in.post(
        reverse("payments:withdraw"),
        {
            "amount": "20.00",
            "currency": "CNY",
            "token": token,
            "bank_account_name": "Li Wei",
            "bank_account_number": "6222020212345678",
            "bank_name": "ICBC",
        },
        follow=True,
    )

    assert "CN¥20.00 was sent to ICBC •••• 5678." in response.text
    assert wallet_balance(payer) == 3000
    assert Payout.objects.get().state == "paid"
    assert_books_balance()


def test_a_withdrawal_above_the_balance_is_refused_on_the_form(logged_in, payer):
    fund(payer, 1000)
    token = form_token(logged_in.get(reverse("payments:withdraw")))

    response = logged_in.post(
        reverse("payments:withdraw"),
        {
            "amount": "10.01",
            "currency": "CNY",
            "token": token,
            "bank_account_name": "Li Wei",
            "bank_account_number": "6222020212345678",
            "bank_name": "ICBC",
        },
    )

    assert response.status_code == 200
    assert "Not enough money in the wallet." in response.text
    assert wallet_balance(payer) == 1000
    assert not Payout.objects.exists()


def test_a_refused_withdrawal_says_the_money_is_back(logged_in, payer, monkeypatch):
    fund(payer, 1000)
    monkeypatch.setattr(
        SandboxProvider,
        "send_payout",
        lambda self, *, payout, account_number: PayoutResult(ok=False, reason="account closed"),
    )

    response = logged_in.post(
        reverse("payments:withdraw"),
        {
            "amount": "5",
            "currency": "CNY",
            "token": "x" * 20,
            "bank_account_name": "Li Wei",
            "bank_account_number": "12345678",
            "bank_name": "ICBC",
        },
        follow=True,
    )

    assert "account closed" in response.text
    assert "back in your wallet" in response.text
    assert wallet_balance(payer) == 1000


def test_wallet_pages_need_a_login(client):
    for name in ["payments:wallet", "payments:topup", "payments:withdraw"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response.url
