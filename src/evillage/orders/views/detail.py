"""One order, for its buyer, its shop's staff or an operator, and every action on it.

Each action is a small form posted to `orders/<id>/do/<action>/`. On success: back to the
page with a message. On an error the page is shown again with that form holding the
message; the services run in one transaction, so nothing changed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evillage.core.errors import Conflict, DomainError
from evillage.core.forms import add_domain_error
from evillage.core.money import format_money
from evillage.orders import forms as f
from evillage.orders.models import Order, OrderState, Refund, RefundKind, RefundState
from evillage.orders.selectors import open_refund, order_actions, order_events
from evillage.orders.services.lifecycle import (
    order_cancel,
    order_confirm,
    order_extend_confirm,
    order_ship,
)
from evillage.orders.services.refunds import (
    dispute_decide,
    evidence_add,
    refund_agree,
    refund_cancel,
    refund_refuse,
    refund_request,
    refund_return_received,
    refund_return_shipped,
)
from evillage.orders.views._common import order_or_404, parse_amount, redirect_back, state_label
from evillage.places.selectors import path_label


def _money(amount: int, currency: str) -> str:
    return format_money(amount, currency, get_language() or "en")


def _the_refund(order: Order) -> Refund:
    refund = open_refund(order)
    if refund is None:
        raise Conflict(_("There is no open refund on this order."), code="no_open_refund")
    return refund


# What each action does; each returns the message shown after it succeeded.


def _cancel(request, order, data) -> str:
    order_cancel(order=order, actor=request.user, reason=data["reason"])
    return _("The order is cancelled.")


def _confirm(request, order, data) -> str:
    order_confirm(order=order, actor=request.user)
    return _("Receipt confirmed: the seller has been paid. Thank you!")


def _extend(request, order, data) -> str:
    order = order_extend_confirm(order=order, actor=request.user, days=data["days"])
    return _("The automatic confirmation moved to %(when)s.") % {
        "when": date_format(order.auto_confirm_at, "DATETIME_FORMAT")
    }


def _ship(request, order, data) -> str:
    order_ship(order=order, actor=request.user, carrier=data["carrier"], waybill=data["waybill"])
    return _("Marked as shipped. The buyer has been told.")


def _refund_request(request, order, data) -> str:
    amount = None
    kind = data["kind"] or RefundKind.REFUND_ONLY
    if order.state == OrderState.WAIT_BUYER_CONFIRM:
        amount = parse_amount(data["amount"], order.currency)
    else:  # before shipment: the whole order, at once (the service's rule)
        kind = RefundKind.REFUND_ONLY
    refund = refund_request(
        order=order,
        actor=request.user,
        reason=data["reason"],
        kind=kind,
        amount=amount,
        idempotency_key=f"web:refund:{data['token']}",
    )
    if refund.state == RefundState.REFUNDED:
        return _("Refunded %(amount)s to where you paid from.") % {
            "amount": _money(refund.amount_refunded, order.currency)
        }
    return _("Refund requested. The seller answers by %(when)s, or it is agreed.") % {
        "when": date_format(refund.deadline, "DATETIME_FORMAT")
    }


def _refund_cancel(request, order, data) -> str:
    refund_cancel(refund=_the_refund(order), actor=request.user)
    return _("Refund request withdrawn.")


def _refund_answer(request, order, data) -> str:
    refund = _the_refund(order)
    if data["verdict"] == "agree":
        refund = refund_agree(refund=refund, actor=request.user, answer=data["answer"])
        if refund.state == RefundState.AWAITING_RETURN:
            return _("Agreed. The buyer now sends the goods back.")
        return _("Agreed. The buyer has been refunded.")
    refund_refuse(refund=refund, actor=request.user, answer=data["answer"])
    return _("Refused. An operator will decide; add your evidence below.")


def _return_ship(request, order, data) -> str:
    refund_return_shipped(
        refund=_the_refund(order),
        actor=request.user,
        carrier=data["carrier"],
        waybill=data["waybill"],
    )
    return _("Return sent. The seller confirms its receipt, then you are refunded.")


def _return_received(request, order, data) -> str:
    refund = _the_refund(order)
    if data["verdict"] == "received":
        refund_return_received(refund=refund, actor=request.user)
        return _("Return received. The buyer has been refunded.")
    refund_refuse(refund=refund, actor=request.user, answer=data["answer"])
    return _("Refused. An operator will decide; add your evidence below.")


def _evidence(request, order, data) -> str:
    evidence_add(
        refund=_the_refund(order), actor=request.user, text=data["text"], photo=data["photo"]
    )
    return _("Evidence added.")


def _decide(request, order, data) -> str:
    amount = parse_amount(data["amount"], order.currency, allow_zero=True)
    if amount is None:
        raise Conflict(_("Enter an amount of 0 or more."), code="bad_amount")
    dispute_decide(
        refund=_the_refund(order), actor=request.user, amount=amount, decision=data["decision"]
    )
    return _("Decision recorded.")


@dataclass(frozen=True)
class Action:
    form: type[forms.Form]
    run: Callable[[HttpRequest, Order, dict], str]
    # The OrderActions flag that shows this form on the page.
    flag: str


ACTIONS: dict[str, Action] = {
    "cancel": Action(f.CancelForm, _cancel, "cancel"),
    "confirm": Action(f.ConfirmForm, _confirm, "confirm"),
    "extend": Action(f.ExtendForm, _extend, "extend"),
    "ship": Action(f.ShipmentForm, _ship, "ship"),
    "refund": Action(f.RefundRequestForm, _refund_request, "request_refund"),
    "refund_cancel": Action(f.RefundCancelForm, _refund_cancel, "cancel_refund"),
    "refund_answer": Action(f.RefundAnswerForm, _refund_answer, "answer_refund"),
    "return_ship": Action(f.ShipmentForm, _return_ship, "ship_return"),
    "return_received": Action(f.ReturnReceivedForm, _return_received, "receive_return"),
    "evidence": Action(f.EvidenceForm, _evidence, "add_evidence"),
    "decide": Action(f.DecideForm, _decide, "decide"),
}


def action_forms(order: Order, user, bound: dict[str, forms.Form] | None = None) -> dict:
    """The forms this user may use on this order now, plus any bound one with its errors."""
    allowed = order_actions(order=order, user=user)
    result = {}
    for name, action in ACTIONS.items():
        if bound and name in bound:
            result[name] = bound[name]
        elif getattr(allowed, action.flag):
            initial = {"token": f.new_form_token()} if "token" in action.form.base_fields else {}
            result[name] = action.form(prefix=name, initial=initial)
    return result


def event_rows(order: Order) -> list[dict]:
    return [
        {
            "event": event,
            "from": state_label(event.from_state, refund=event.refund_id is not None),
            "to": state_label(event.to_state, refund=event.refund_id is not None),
        }
        for event in order_events(order=order)
    ]


def detail_context(request, order: Order, bound: dict | None = None) -> dict:
    user = request.user
    refunds = list(order.refunds.all())
    for refund in refunds:
        refund.evidence_list = list(refund.evidence.select_related("author"))
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "is_buyer": order.buyer_id == user.pk,
        "forms": action_forms(order, user, bound),
        "pay_url": reverse("orders:pay", args=[order.checkout.public_id])
        if order.state == OrderState.WAIT_BUYER_PAY and order.buyer_id == user.pk
        else "",
        "events": event_rows(order),
        "refunds": refunds,
        "open_refund": open_refund(order),
        "refundable": order.total - order.refunded,
        "place_label": path_label(order.ship_to_place),
        "can_see_payout": order.buyer_id != user.pk,
    }


@login_required
def order_detail(request, public_id: str):
    order = order_or_404(request, public_id)
    return render(request, "orders/detail.html", detail_context(request, order))


@login_required
@require_POST
def order_action(request, public_id: str, action: str):
    order = order_or_404(request, public_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = spec.form(request.POST, request.FILES, prefix=action)
    if form.is_valid():
        try:
            done = spec.run(request, order, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect_back(request, reverse("orders:detail", args=[order.public_id]))
    # Shown again from the database: the failed action changed nothing.
    order = order_or_404(request, public_id)
    context = detail_context(request, order, bound={action: form})
    context["failed"] = action
    return render(request, "orders/detail.html", context)
