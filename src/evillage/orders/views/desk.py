"""The operators' dispute desk: refused refunds, oldest first, with everything to decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evillage.accounts.models import Role
from evillage.core.errors import DomainError
from evillage.core.forms import add_domain_error
from evillage.orders.forms import DecideForm
from evillage.orders.selectors import disputes_open, refund_get
from evillage.orders.services.refunds import dispute_decide
from evillage.orders.views._common import parse_amount
from evillage.orders.views.detail import event_rows

DISPUTES_PER_PAGE = 10


def _require_operator(request) -> None:
    if not request.user.has_role(Role.OPERATOR):
        raise HttpForbidden(_("Only operators decide disputes."))


def _render_desk(request, *, bound: dict | None = None):
    page = Paginator(disputes_open(), DISPUTES_PER_PAGE).get_page(request.GET.get("page"))
    for refund in page:
        refund.evidence_list = list(refund.evidence.select_related("author"))
        refund.event_rows = event_rows(refund.order)
        refund.lines = list(refund.order.lines.all())
        refund.form = (bound or {}).get(refund.public_id) or DecideForm(prefix=refund.public_id)
    return render(request, "orders/desk.html", {"page_obj": page})


@login_required
def dispute_desk(request):
    _require_operator(request)
    return _render_desk(request)


@login_required
@require_POST
def dispute_decide_view(request, public_id: str):
    _require_operator(request)
    refund = refund_get(public_id=public_id)
    if refund is None:
        raise Http404(_("Refund not found."))
    form = DecideForm(request.POST, prefix=refund.public_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            amount = parse_amount(data["amount"], refund.order.currency, allow_zero=True)
            dispute_decide(
                refund=refund, actor=request.user, amount=amount, decision=data["decision"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Decision recorded for order %(order)s.") % {"order": refund.order.public_id},
            )
            return redirect("orders:desk")
    return _render_desk(request, bound={refund.public_id: form})
