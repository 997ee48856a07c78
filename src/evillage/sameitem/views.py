"""Pages: a product's identical listings, search by photo, the seller centre's photo
rights (cases and appeals; a supplier's photos and who uses them), the operators' desk.

Forms post and redirect; on an error the page is shown again with the message on the
form and nothing changed (the services check everything before they write).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evillage.accounts.models import Role
from evillage.catalog.selectors import product_for_display
from evillage.core.errors import DomainError, NotFound
from evillage.core.forms import add_domain_error
from evillage.core.images import decode_upload
from evillage.sameitem import selectors
from evillage.sameitem.forms import AppealForm, DecideForm, PhotoSearchForm
from evillage.sameitem.services import case_appeal, case_decide
from evillage.shops.models import Shop, ShopKind
from evillage.shops.selectors import shop_for_staff
from evillage.web.listing import paginate

SEARCH_RESULTS = 48
CASES_PER_PAGE = 20


def identical(request: HttpRequest, public_id: str) -> HttpResponse:
    """Other shops' listings of the same item, sortable by price, credit and sales."""
    try:
        page = product_for_display(public_id=public_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    sort = selectors.normalize_sort(request.GET.get("sort"))
    listings = selectors.identical_listings(product=page.product, sort=sort)
    return render(
        request,
        "sameitem/identical.html",
        {
            "product": page.product,
            "page_obj": paginate(request, listings),
            "sort": sort,
            "sort_choices": selectors.SORT_CHOICES,
        },
    )


def photo_search(request: HttpRequest) -> HttpResponse:
    """Upload a photo, see the listings that show the same item. The upload is decoded
    with the same checks as product photos, compared, and dropped."""
    results = None
    if request.method == "POST":
        form = PhotoSearchForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                image = decode_upload(form.cleaned_data["photo"])
            except DomainError as exc:
                form.add_error("photo", exc.message)
            else:
                results = list(selectors.listings_like_image(image=image)[:SEARCH_RESULTS])
    else:
        form = PhotoSearchForm()
    status = 400 if form.errors else 200
    return render(
        request, "sameitem/search.html", {"form": form, "results": results}, status=status
    )


# Seller centre ------------------------------------------------------------------------------


def _staff_shop(request: HttpRequest, shop_id: str) -> Shop:
    shop = shop_for_staff(user=request.user, public_id=shop_id)
    if shop is None:
        raise Http404(_("Shop not found."))
    return shop


def _cases_context(request: HttpRequest, shop: Shop, bound: tuple | None = None) -> dict:
    page = Paginator(selectors.shop_cases(shop=shop), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for case in page:
        if bound and bound[0] == case.public_id:
            case.form = bound[1]
        elif case.may_appeal:
            case.form = AppealForm(prefix=case.public_id)
    return {"shop": shop, "tab": "photo_rights", "page_obj": page}


@login_required
def seller_cases(request: HttpRequest, shop_id: str) -> HttpResponse:
    """The shop's photos flagged as a supplier's, with deadlines, history and appeals."""
    shop = _staff_shop(request, shop_id)
    return render(request, "sameitem/seller_cases.html", _cases_context(request, shop))


@login_required
@require_POST
def seller_appeal(request: HttpRequest, shop_id: str, case_id: str) -> HttpResponse:
    shop = _staff_shop(request, shop_id)
    case = selectors.case_by_public_id(public_id=case_id)
    if case is None or case.shop_id != shop.pk:
        raise Http404(_("Case not found."))
    form = AppealForm(request.POST, prefix=case.public_id)
    if form.is_valid():
        try:
            case_appeal(case=case, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your appeal was sent. Operators will decide."))
            return redirect(reverse("sameitem:seller_cases", args=[shop.public_id]))
    context = _cases_context(request, shop, bound=(case.public_id, form))
    return render(request, "sameitem/seller_cases.html", context, status=400)


@login_required
def supplier_photos(request: HttpRequest, shop_id: str) -> HttpResponse:
    """A supplier's registered photos and the shops using them, licensed or not."""
    shop = _staff_shop(request, shop_id)
    if shop.kind != ShopKind.SUPPLIER:
        raise Http404(_("Only suppliers register photos."))
    claims = Paginator(selectors.supplier_claims(supplier=shop), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sameitem/supplier_photos.html",
        {"shop": shop, "tab": "my_photos", "page_obj": claims},
    )


# Operators ----------------------------------------------------------------------------------


def _require_operator(request: HttpRequest) -> None:
    if not request.user.has_role(Role.OPERATOR):
        raise HttpForbidden(_("Only operators decide photo rights cases."))


def _desk(request: HttpRequest, *, bound: tuple | None = None, status: int = 200):
    which = request.GET.get("show", "appeals")
    if which not in selectors.DESK_FILTERS:
        which = "appeals"
    page = Paginator(selectors.desk_cases(which=which), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for case in page:
        if bound and bound[0] == case.public_id:
            case.form = bound[1]
        elif case.appeal_pending:
            case.form = DecideForm(prefix=case.public_id)
    return render(
        request,
        "sameitem/desk.html",
        {"page_obj": page, "show": which, "filters": selectors.DESK_FILTERS},
        status=status,
    )


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    return _desk(request)


@login_required
@require_POST
def desk_decide(request: HttpRequest, case_id: str) -> HttpResponse:
    _require_operator(request)
    case = selectors.case_by_public_id(public_id=case_id)
    if case is None:
        raise Http404(_("Case not found."))
    form = DecideForm(request.POST, prefix=case.public_id)
    if form.is_valid():
        try:
            case_decide(
                case=case,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Decision recorded for case %(id)s.") % {"id": case_id})
            return redirect("sameitem:desk")
    return _desk(request, bound=(case.public_id, form), status=400)
