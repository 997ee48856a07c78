"""Wallet pages (balance, statement, top-up, withdrawal) and the sandbox provider's page.

Everything works without JavaScript: plain forms, post/redirect/get.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evillage.core.errors import DomainError
from evillage.core.forms import add_domain_error
from evillage.core.money import SUPPORTED_CURRENCIES, format_money, to_minor
from evillage.payments import selectors, services
from evillage.payments.forms import TopUpForm, WithdrawForm, new_form_token
from evillage.payments.models import (
    Payment,
    PaymentMethod,
    PaymentPurpose,
    PaymentState,
    PayoutState,
)
from evillage.payments.providers.sandbox import OUTCOMES, SandboxProvider

STATEMENT_PAGE_SIZE = 20
RECENT_PAYOUTS = 5
# Where the payer lands after paying a checkout: the orders app's buyer page.
CHECKOUT_RETURN_URL = "/orders/"


@login_required
def wallet(request):
    user = request.user
    wallets = selectors.wallets_of(user=user)
    currencies = [w.currency for w in wallets] or [selectors.default_currency(user=user)]
    currency = request.GET.get("currency")
    if currency not in SUPPORTED_CURRENCIES:
        currency = currencies[0]
    account = next((w for w in wallets if w.currency == currency), None)
    page = Paginator(selectors.wallet_statement(wallet=account), STATEMENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "payments/wallet.html",
        {
            "wallets": wallets,
            "currencies": currencies,
            "currency": currency,
            "balance": account.balance if account else 0,
            "page_obj": page,
            "rows": [(transfer, selectors.counterpart(transfer)) for transfer in page],
            "payouts": selectors.payouts_of(user=user)[:RECENT_PAYOUTS],
        },
    )


@login_required
def topup(request):
    form = TopUpForm(
        request.POST or None,
        initial={"currency": _initial_currency(request), "token": new_form_token()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.topup_start(
                payer=request.user,
                amount=to_minor(data["amount"], data["currency"], field="amount"),
                currency=data["currency"],
                idempotency_key=f"web:{data['token']}",
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect(
                services.payment_pay_url(payment=payment, return_url=reverse("payments:wallet"))
            )
    return render(request, "payments/topup.html", {"form": form})


@login_required
def withdraw(request):
    form = WithdrawForm(
        request.POST or None,
        initial={"currency": _initial_currency(request), "token": new_form_token()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payout = services.payout_request(
                owner=request.user,
                amount=to_minor(data["amount"], data["currency"], field="amount"),
                currency=data["currency"],
                bank_account_name=data["bank_account_name"],
                bank_account_number=data["bank_account_number"],
                bank_name=data["bank_name"],
                idempotency_key=f"web:{data['token']}",
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            _payout_message(request, payout)
            return redirect(f"{reverse('payments:wallet')}?currency={payout.currency}")
    return render(request, "payments/withdraw.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_page(request, public_id: str):
    """The sandbox provider's hosted page: the payer pays, fails or abandons."""
    if SandboxProvider.name not in settings.PAYMENT_PROVIDERS:
        raise Http404
    payment = selectors.payment_of_payer(user=request.user, public_id=public_id)
    # Someone else's payment is not even confirmed to exist.
    if payment is None or (payment.method, payment.provider) != (
        PaymentMethod.PROVIDER,
        SandboxProvider.name,
    ):
        raise Http404(_("Payment not found."))
    next_url = _return_url(request.POST.get("next") or request.GET.get("next"), payment)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in OUTCOMES:
            messages.error(request, _("Choose pay, fail or abandon."))
            return redirect(request.get_full_path())
        if payment.state != PaymentState.PENDING:
            messages.info(
                request,
                _("This payment is already closed: %(state)s.")
                % {"state": payment.get_state_display()},
            )
            return redirect(next_url)
        result = SandboxProvider().deliver_event(payment=payment, action=action)
        _sandbox_message(request, result, action)
        return redirect(next_url)
    return render(request, "payments/sandbox_page.html", {"payment": payment, "next": next_url})


def _return_url(value: str | None, payment: Payment) -> str:
    """The `next` given if it is a path on this site; else the purpose's own page."""
    if value and value.startswith("/") and url_has_allowed_host_and_scheme(value, None):
        return value
    if payment.purpose == PaymentPurpose.TOPUP:
        return f"{reverse('payments:wallet')}?currency={payment.currency}"
    return CHECKOUT_RETURN_URL


def _initial_currency(request) -> str:
    wallets = selectors.wallets_of(user=request.user)
    return wallets[0].currency if wallets else selectors.default_currency(user=request.user)


def _sandbox_message(request, result: services.WebhookResult, action: str) -> None:
    if result.status != 200:
        messages.error(
            request,
            _("The payment provider could not reach eVillage (%(code)s). Try again.")
            % {"code": result.code},
        )
    elif action == "pay":
        messages.success(request, _("Payment received."))
    elif action == "fail":
        messages.error(request, _("The payment failed. No money was taken."))
    else:
        messages.info(request, _("The payment was abandoned. No money was taken."))


def _payout_message(request, payout) -> None:
    amount = format_money(payout.amount, payout.currency, get_language() or "en")
    where = f"{payout.bank_name} {payout.bank_account_number}"
    if payout.state == PayoutState.PAID:
        messages.success(
            request,
            _("%(amount)s was sent to %(account)s.") % {"amount": amount, "account": where},
        )
    elif payout.state == PayoutState.FAILED:
        messages.error(
            request,
            _("The bank refused the withdrawal (%(reason)s); %(amount)s is back in your wallet.")
            % {"reason": payout.failure_reason, "amount": amount},
        )
    else:
        messages.info(
            request,
            _("Your withdrawal of %(amount)s to %(account)s is being processed.")
            % {"amount": amount, "account": where},
        )
