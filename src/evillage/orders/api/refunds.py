"""Refunds and disputes: the buyer asks, the seller answers, an operator decides."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from evillage.accounts.api_auth import USER_AUTH
from evillage.accounts.models import Role
from evillage.core.api_schemas import BoundedPageNumberPagination, ErrorOut
from evillage.core.errors import NotFound, PermissionDenied
from evillage.core.idempotency import idempotent
from evillage.orders.api._common import READS, WRITES, stamp, visible_order, visible_refund
from evillage.orders.models import Refund
from evillage.orders.schemas import (
    AnswerIn,
    DecideIn,
    DisputeOut,
    EvidenceOut,
    RefundIn,
    RefundOut,
    ShipIn,
)
from evillage.orders.selectors import disputes_open, refund_get
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

router = Router(tags=["refunds"], auth=USER_AUTH)


def _fresh(refund: Refund) -> Refund:
    """The refund as stored now, with what RefundOut reads."""
    return (
        Refund.objects.select_related("order")
        .prefetch_related("evidence__author")
        .get(pk=refund.pk)
    )


@router.post("/orders/{order_id}/refunds", response={201: RefundOut, WRITES: ErrorOut})
@idempotent
def refund_request_op(request, order_id: str, payload: RefundIn):
    """Ask for money back. Before shipment the whole order is refunded at once; after
    shipment the seller answers (silence past the deadline is agreement)."""
    order = visible_order(request, order_id)
    refund = refund_request(
        order=order,
        actor=request.auth,
        reason=payload.reason,
        kind=payload.kind,
        amount=payload.amount,
        idempotency_key=stamp(request),
    )
    return Status(201, _fresh(refund))


@router.post("/refunds/{refund_id}/cancel", response={200: RefundOut, WRITES: ErrorOut})
def refund_cancel_op(request, refund_id: str):
    """The buyer withdraws an open request; the order goes on as before."""
    refund = refund_cancel(refund=visible_refund(request, refund_id), actor=request.auth)
    return _fresh(refund)


@router.post("/refunds/{refund_id}/agree", response={200: RefundOut, WRITES: ErrorOut})
@idempotent
def refund_agree_op(request, refund_id: str, payload: AnswerIn | None = None):
    """The seller agrees: a refund-only request is paid back now; a return waits for
    the goods."""
    refund = refund_agree(
        refund=visible_refund(request, refund_id),
        actor=request.auth,
        answer=payload.answer if payload else "",
    )
    return _fresh(refund)


@router.post("/refunds/{refund_id}/refuse", response={200: RefundOut, WRITES: ErrorOut})
def refund_refuse_op(request, refund_id: str, payload: AnswerIn):
    """The seller refuses, or says the goods did not come back as sent: an operator
    decides the dispute."""
    refund = refund_refuse(
        refund=visible_refund(request, refund_id), actor=request.auth, answer=payload.answer
    )
    return _fresh(refund)


@router.post("/refunds/{refund_id}/return", response={200: RefundOut, WRITES: ErrorOut})
def refund_return_op(request, refund_id: str, payload: ShipIn):
    """The buyer sent the goods back; the seller confirms receipt before a deadline."""
    refund = refund_return_shipped(
        refund=visible_refund(request, refund_id),
        actor=request.auth,
        carrier=payload.carrier,
        waybill=payload.waybill,
    )
    return _fresh(refund)


@router.post("/refunds/{refund_id}/return-received", response={200: RefundOut, WRITES: ErrorOut})
@idempotent
def refund_return_received_op(request, refund_id: str):
    """The seller got the goods back: the buyer is refunded."""
    refund = refund_return_received(refund=visible_refund(request, refund_id), actor=request.auth)
    return _fresh(refund)


@router.post("/refunds/{refund_id}/evidence", response={201: EvidenceOut, WRITES: ErrorOut})
def refund_evidence_op(
    request,
    refund_id: str,
    text: Form[str] = "",
    photo: File[UploadedFile | None] = None,
):
    """A statement and/or a photo for the operator (multipart: `text`, `photo`), from
    the buyer, the seller or an operator, while the refund is open."""
    evidence = evidence_add(
        refund=visible_refund(request, refund_id), actor=request.auth, text=text, photo=photo
    )
    return Status(201, evidence)


def _require_operator(request: HttpRequest) -> None:
    if not request.auth.has_role(Role.OPERATOR):
        raise PermissionDenied(_("Only operators decide disputes."), code="not_operator")


@router.get("/disputes", response={200: list[DisputeOut], READS | {403}: ErrorOut})
@paginate(BoundedPageNumberPagination, page_size=20)
def dispute_list(request):
    """Operators: disputed refunds waiting for a decision, oldest first."""
    _require_operator(request)
    return disputes_open().prefetch_related("evidence__author")


@router.post("/disputes/{refund_id}/decide", response={200: RefundOut, WRITES: ErrorOut})
@idempotent
def dispute_decide_op(request, refund_id: str, payload: DecideIn):
    """Operators: refund `amount` (up to what was asked; 0 refuses) and say why."""
    _require_operator(request)
    refund = refund_get(public_id=refund_id)
    if refund is None:
        raise NotFound(_("Refund not found."), code="refund_not_found")
    refund = dispute_decide(
        refund=refund, actor=request.auth, amount=payload.amount, decision=payload.decision
    )
    return _fresh(refund)
