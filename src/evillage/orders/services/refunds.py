"""Refunds and disputes.

Before shipment the buyer gets a full refund at once. After shipment the buyer asks (refund
only, or return and refund); the seller agrees or refuses before a deadline, and silence is
agreement; a refusal opens a dispute an operator decides from the evidence, possibly with a
partial refund. Money always goes back to where the payment came from (wallet or provider).
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evillage.accounts.models import Role, User
from evillage.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evillage.core.ids import new_public_id
from evillage.core.images import decode_upload, encode_jpeg
from evillage.ledger.services import transfers_create
from evillage.orders.models import (
    OPEN_REFUND_STATES,
    Evidence,
    Order,
    OrderState,
    Refund,
    RefundKind,
    RefundState,
)
from evillage.orders.selectors import may_see_order
from evillage.orders.services._common import (
    escrow_account,
    has_open_refund,
    lock_order,
    record_event,
    refuse_if_settled_elsewhere,
    release_stock,
    require_buyer,
    require_seller,
    transition,
    wrong_state,
)
from evillage.orders.services.lifecycle import clean_shipment
from evillage.payments.services import refund_leg

MAX_EVIDENCE_PER_REFUND = 30


def refund_request(
    *,
    order: Order,
    actor: User,
    reason: str,
    kind: str = RefundKind.REFUND_ONLY,
    amount: int | None = None,
    idempotency_key: str | None = None,
) -> Refund:
    """Ask for money back. Before shipment: a full refund, done at once."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationFailed(
            _("Say why (up to 500 characters)."), code="bad_reason", field="reason"
        )
    if kind not in RefundKind.values:
        raise ValidationFailed(_("Unknown kind of refund."), code="bad_kind", field="kind")
    if amount is not None and (type(amount) is not int or amount <= 0):
        raise ValidationFailed(
            _("The amount must be greater than zero."), code="bad_amount", field="amount"
        )
    if idempotency_key:
        earlier = Refund.objects.filter(order=order, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    with transaction.atomic(durable=True):
        locked = lock_order(order.pk)
        require_buyer(locked, actor)
        refuse_if_settled_elsewhere(locked)
        if idempotency_key:
            # Again under the lock: a concurrent request with the same key may have won.
            earlier = Refund.objects.filter(order=order, idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier
        if has_open_refund(locked):
            raise Conflict(_("A refund request is already open."), code="refund_open")
        refundable = locked.total - locked.refunded
        if locked.state == OrderState.WAIT_SELLER_SEND:
            if amount is not None and amount != refundable:
                raise ValidationFailed(
                    _("Before shipment the whole order is refunded."),
                    code="bad_amount",
                    field="amount",
                )
            refund = Refund.objects.create(
                order=locked,
                kind=RefundKind.REFUND_ONLY,
                amount=refundable,
                reason=reason,
                idempotency_key=idempotency_key,
            )
            record_event(
                locked, actor=actor, refund=refund, to_state=RefundState.REQUESTED, reason=reason
            )
            _pay_refund(locked, refund, refundable, actor=actor, reason="refunded before shipment")
            return refund
        if locked.state != OrderState.WAIT_BUYER_CONFIRM:
            raise wrong_state(locked)
        amount = refundable if amount is None else amount
        if amount > refundable:
            raise ValidationFailed(
                _("At most what you paid and was not refunded yet."),
                code="refund_exceeds_payment",
                field="amount",
            )
        refund = Refund.objects.create(
            order=locked,
            kind=kind,
            amount=amount,
            reason=reason,
            idempotency_key=idempotency_key,
            deadline=timezone.now() + settings.REFUND_SELLER_ANSWER_WITHIN,
        )
        record_event(
            locked, actor=actor, refund=refund, to_state=RefundState.REQUESTED, reason=reason
        )
    return refund


def refund_cancel(*, refund: Refund, actor: User) -> Refund:
    """The buyer withdraws an open request; the order goes on as before."""
    with transaction.atomic(durable=True):
        order = lock_order(refund.order_id)
        require_buyer(order, actor)
        locked = _lock_refund(refund.pk, OPEN_REFUND_STATES)
        _refund_move(
            order,
            locked,
            to=RefundState.CANCELLED,
            actor=actor,
            reason="withdrawn by the buyer",
            closed_at=timezone.now(),
            deadline=None,
        )
    return locked


def refund_agree(*, refund: Refund, actor: User, answer: str = "") -> Refund:
    """The seller agrees: refund only pays now; a return waits for the goods."""
    with transaction.atomic(durable=True):
        order = lock_order(refund.order_id)
        require_seller(order, actor)
        locked = _lock_refund(refund.pk, (RefundState.REQUESTED,))
        _agree(order, locked, actor=actor, answer=answer.strip()[:500], reason="seller agreed")
    return locked


def _agree(order: Order, refund: Refund, *, actor: User | None, answer: str, reason: str) -> None:
    if refund.kind == RefundKind.RETURN_AND_REFUND:
        _refund_move(
            order,
            refund,
            to=RefundState.AWAITING_RETURN,
            actor=actor,
            reason=reason,
            seller_answer=answer,
            deadline=timezone.now() + settings.REFUND_RETURN_WITHIN,
        )
    else:
        if answer:
            Refund.objects.filter(pk=refund.pk).update(seller_answer=answer)
        _pay_refund(order, refund, refund.amount, actor=actor, reason=reason)


def refund_refuse(*, refund: Refund, actor: User, answer: str) -> Refund:
    """The seller refuses (or says the returned goods did not come back as sent): dispute."""
    answer = (answer or "").strip()
    if not answer or len(answer) > 500:
        raise ValidationFailed(
            _("Tell the buyer and the operator why (up to 500 characters)."),
            code="bad_answer",
            field="answer",
        )
    with transaction.atomic(durable=True):
        order = lock_order(refund.order_id)
        require_seller(order, actor)
        locked = _lock_refund(refund.pk, (RefundState.REQUESTED, RefundState.RETURN_SHIPPED))
        _refund_move(
            order,
            locked,
            to=RefundState.DISPUTED,
            actor=actor,
            reason=answer,
            seller_answer=answer,
            deadline=None,
        )
    return locked


def refund_return_shipped(*, refund: Refund, actor: User, carrier: str, waybill: str) -> Refund:
    """The buyer sent the goods back; the seller now confirms receipt before a deadline."""
    carrier, waybill = clean_shipment(carrier, waybill)
    with transaction.atomic(durable=True):
        order = lock_order(refund.order_id)
        require_buyer(order, actor)
        locked = _lock_refund(refund.pk, (RefundState.AWAITING_RETURN,))
        _refund_move(
            order,
            locked,
            to=RefundState.RETURN_SHIPPED,
            actor=actor,
            reason=f"{carrier} {waybill}",
            return_carrier=carrier,
            return_waybill=waybill,
            deadline=timezone.now() + settings.REFUND_RETURN_RECEIPT_WITHIN,
        )
    return locked


def refund_return_received(*, refund: Refund, actor: User) -> Refund:
    """The seller got the goods back: the buyer is refunded."""
    with transaction.atomic(durable=True):
        order = lock_order(refund.order_id)
        require_seller(order, actor)
        locked = _lock_refund(refund.pk, (RefundState.RETURN_SHIPPED,))
        _pay_refund(order, locked, locked.amount, actor=actor, reason="return received")
    return locked


def dispute_decide(*, refund: Refund, actor: User, amount: int, decision: str) -> Refund:
    """An operator settles a dispute: refund `amount` (0 to what was asked) or nothing."""
    if not actor.has_role(Role.OPERATOR):
        raise PermissionDenied(_("Only operators decide disputes."), code="not_operator")
    decision = (decision or "").strip()
    if not decision or len(decision) > 1000:
        raise ValidationFailed(
            _("Write the reasons for the decision (up to 1000 characters)."),
            code="bad_decision",
            field="decision",
        )
    if type(amount) is not int or amount < 0:
        raise ValidationFailed(
            _("Enter an amount of 0 or more."), code="bad_amount", field="amount"
        )
    with transaction.atomic(durable=True):
        order = lock_order(refund.order_id)
        locked = _lock_refund(refund.pk, (RefundState.DISPUTED,))
        if amount > locked.amount:
            raise ValidationFailed(
                _("At most the amount the buyer asked for."),
                code="refund_exceeds_request",
                field="amount",
            )
        Refund.objects.filter(pk=locked.pk).update(decision=decision, decided_by=actor)
        if amount:
            _pay_refund(order, locked, amount, actor=actor, reason=f"operator: {decision}")
        else:
            _refund_move(
                order,
                locked,
                to=RefundState.REJECTED,
                actor=actor,
                reason=f"operator: {decision}",
                closed_at=timezone.now(),
            )
    return locked


def evidence_add(*, refund: Refund, actor: User, text: str = "", photo=None) -> Evidence:
    """Buyer, seller or an operator adds a statement or photo to an open refund."""
    if not may_see_order(user=actor, order=refund.order):
        raise PermissionDenied(_("This is not your refund."), code="not_your_refund")
    text = (text or "").strip()
    if not text and photo is None:
        raise ValidationFailed(_("Write something or add a photo."), code="empty_evidence")
    if len(text) > 2000:
        raise ValidationFailed(_("At most 2000 characters."), code="too_long", field="text")
    if refund.state not in OPEN_REFUND_STATES:
        raise Conflict(_("This refund is closed."), code="refund_closed")
    if refund.evidence.count() >= MAX_EVIDENCE_PER_REFUND:
        raise Conflict(_("Too many statements on this refund."), code="evidence_full")
    evidence = Evidence(refund=refund, author=actor, text=text)
    if photo is not None:
        from django.core.files.base import ContentFile

        try:
            image = decode_upload(photo)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, code=exc.code, field="photo") from None
        # A random name: nothing about the file can be guessed from another one.
        name = f"{new_public_id()}{new_public_id()}.jpg"
        evidence.photo.save(name, ContentFile(encode_jpeg(image)), save=False)
    evidence.save()
    return evidence


def refunds_sweep_one(*, refund_id: int, now: datetime | None = None) -> bool:
    """Apply the deadline of one refund (the sweeper calls this); False if nothing to do."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        refund = Refund.objects.filter(pk=refund_id).first()
        if refund is None:
            return False
        order = lock_order(refund.order_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.deadline is None or refund.deadline > now:
            return False
        if refund.state == RefundState.REQUESTED:  # the seller's silence is agreement
            _agree(order, refund, actor=None, answer="", reason="seller did not answer in time")
        elif refund.state == RefundState.AWAITING_RETURN:
            _refund_move(
                order,
                refund,
                to=RefundState.CANCELLED,
                actor=None,
                reason="goods not returned in time",
                closed_at=now,
                deadline=None,
            )
        elif refund.state == RefundState.RETURN_SHIPPED:
            _pay_refund(
                order,
                refund,
                refund.amount,
                actor=None,
                reason="seller did not confirm the return in time",
            )
        else:
            return False
    return True


_CLOSED_REFUND_STATES = (RefundState.REFUNDED, RefundState.REJECTED, RefundState.CANCELLED)


def _resume_confirmation_clock(order: Order, refund: Refund) -> None:
    """The automatic confirmation waits while a refund is open (as on Taobao): when the
    refund closes, the deadline moves on by the time the refund was open, so the buyer
    keeps the days that were left."""
    if order.state != OrderState.WAIT_BUYER_CONFIRM or order.auto_confirm_at is None:
        return
    # Until now, or until the refund's own deadline if the sweeper applies it late (a
    # worker that was down does not give the buyer extra days).
    until = timezone.now()
    if refund.deadline is not None:
        until = min(until, refund.deadline)
    paused = until - refund.created_at
    if paused.total_seconds() <= 0:
        return
    order.auto_confirm_at += paused
    Order.objects.filter(pk=order.pk).update(auto_confirm_at=order.auto_confirm_at)


def _lock_refund(refund_id: int, states) -> Refund:
    refund = Refund.objects.select_for_update().filter(pk=refund_id).first()
    if refund is None:
        raise NotFound(_("Refund not found."), code="refund_not_found")
    if refund.state not in states:
        raise Conflict(
            _("Not possible while the refund is “%(state)s”.")
            % {"state": refund.get_state_display()},
            code="refund_state",
            details={"state": refund.state},
        )
    return refund


def _refund_move(
    order: Order, refund: Refund, *, to: str, actor: User | None, reason: str, **fields
) -> None:
    updated = Refund.objects.filter(pk=refund.pk, state=refund.state).update(state=to, **fields)
    if not updated:
        raise Conflict(_("This refund changed meanwhile."), code="refund_state_changed")
    record_event(
        order, actor=actor, refund=refund, from_state=refund.state, to_state=to, reason=reason
    )
    if to in _CLOSED_REFUND_STATES:
        _resume_confirmation_clock(order, refund)
    refund.state = to
    for name, value in fields.items():
        setattr(refund, name, value)


def _pay_refund(
    order: Order, refund: Refund, amount: int, *, actor: User | None, reason: str
) -> None:
    """Escrow -> the payment's source; a fully refunded order closes."""
    if order.payment_id is None:
        raise Conflict(_("This order was never paid."), code="not_paid")
    updated = Order.objects.filter(pk=order.pk, refunded__lte=F("total") - amount).update(
        refunded=F("refunded") + amount
    )
    if not updated:
        raise Conflict(
            _("The refund would be larger than what was paid."), code="refund_exceeds_payment"
        )
    order.refunded += amount
    leg = refund_leg(
        payment=order.payment,
        amount=amount,
        debit=escrow_account(order.currency),
        memo=f"refund {refund.public_id}",
    )
    transfers_create(legs=[leg], reference=f"order:{order.public_id}", actor=actor)
    _refund_move(
        order,
        refund,
        to=RefundState.REFUNDED,
        actor=actor,
        reason=reason,
        amount_refunded=amount,
        closed_at=timezone.now(),
        deadline=None,
    )
    if order.refunded == order.total:
        if order.state == OrderState.WAIT_SELLER_SEND:
            release_stock(order.lines.all())
        transition(
            order,
            to=OrderState.CLOSED,
            actor=actor,
            reason="fully refunded",
            closed_at=timezone.now(),
            close_reason="refunded",
            auto_confirm_at=None,
        )
