"""Review pages: the buyer's review of an order line (and its follow-up), and the
seller centre's reviews of a shop with a reply form per review.

Without JavaScript every form posts and redirects (or shows the page again with the
error on the form; the service changed nothing). With HTMX a seller's reply swaps in
place.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from evillage.accounts.api_auth import session_or_token_required
from evillage.accounts.models import Role
from evillage.core.errors import DomainError
from evillage.core.files import private_jpeg
from evillage.core.forms import add_domain_error
from evillage.orders.models import Order
from evillage.orders.selectors import order_for
from evillage.reviews import selectors
from evillage.reviews.forms import FollowUpForm, ReplyForm, ReviewForm
from evillage.reviews.models import ReviewPhoto
from evillage.reviews.photos import SIZES, open_photo
from evillage.reviews.services import review_create, review_follow_up, review_reply
from evillage.shops.selectors import shop_for_staff

SELLER_PAGE_SIZE = 20


def _buyer_order(request: HttpRequest, order_id: str) -> Order:
    """The order if the user is its buyer; 404 otherwise (staff answer on their pages)."""
    order = order_for(user=request.user, public_id=order_id)
    if order is None or order.buyer_id != request.user.pk:
        raise Http404(_("Order not found."))
    return order


def _line_context(request, order: Order, number: int, **forms) -> dict:
    line = selectors.order_line_by_number(order=order, number=number)
    if line is None:
        raise Http404(_("No such item in this order."))
    state = selectors.line_review_state(order=order, line=line, user=request.user)
    context = {
        "order": order,
        "line": line,
        "number": number,
        "state": state,
        "review": state.review,
        "review_form": forms.get("review_form") or (ReviewForm() if state.can_review else None),
        "followup_form": forms.get("followup_form")
        or (FollowUpForm() if state.can_follow_up else None),
    }
    return context


@login_required
def line_review(request: HttpRequest, order_id: str, number: int) -> HttpResponse:
    """GET: the review form (or the review, with its follow-up form). POST: review."""
    order = _buyer_order(request, order_id)
    if request.method != "POST":
        return render(request, "reviews/line.html", _line_context(request, order, number))
    form = ReviewForm(request.POST, request.FILES)
    line = selectors.order_line_by_number(order=order, number=number)
    if line is None:
        raise Http404(_("No such item in this order."))
    if form.is_valid():
        data = form.cleaned_data
        try:
            review_create(
                order=order,
                line=line,
                actor=request.user,
                rating=data["rating"],
                item_as_described=data["item_as_described"],
                service=data["service"],
                shipping_speed=data["shipping_speed"],
                text=data["text"],
                anonymous=data["anonymous"],
                photos=data["photos"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you! Your review is published."))
            return redirect("reviews:line", order_id=order.public_id, number=number)
    context = _line_context(request, order, number, review_form=form)
    context["review_form"] = form  # shown with its errors even if no longer allowed
    return render(request, "reviews/line.html", context, status=400)


@login_required
@require_POST
def follow_up(request: HttpRequest, order_id: str, number: int) -> HttpResponse:
    order = _buyer_order(request, order_id)
    line = selectors.order_line_by_number(order=order, number=number)
    if line is None:
        raise Http404(_("No such item in this order."))
    review = selectors.line_review_state(order=order, line=line, user=request.user).review
    if review is None:
        raise Http404(_("Review this item first."))
    form = FollowUpForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            review_follow_up(
                review=review,
                actor=request.user,
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your follow-up is published."))
            return redirect("reviews:line", order_id=order.public_id, number=number)
    context = _line_context(request, order, number, followup_form=form)
    context["followup_form"] = form
    return render(request, "reviews/line.html", context, status=400)


def _staff_shop(request: HttpRequest, shop_id: str):
    shop = shop_for_staff(user=request.user, public_id=shop_id)
    if shop is None:
        raise Http404(_("Shop not found."))
    return shop


def _seller_context(request, shop, bound: tuple[str, ReplyForm] | None = None) -> dict:
    waiting = request.GET.get("waiting") == "1"
    reviews = selectors.shop_reviews_for_staff(shop=shop, waiting=waiting)
    page = Paginator(reviews, SELLER_PAGE_SIZE).get_page(request.GET.get("page"))
    for review in page:
        _attach_reply_form(review, bound)
    return {
        "shop": shop,
        "tab": "reviews",
        "page_obj": page,
        "waiting": waiting,
        "credit": selectors.shop_credit(shop=shop),
        "dsr": selectors.dsr_rows(shop=shop, root=selectors.shop_root_category(shop=shop)),
    }


def _attach_reply_form(review, bound: tuple[str, ReplyForm] | None) -> None:
    """The reply form the review still takes, if any (once each, within the window)."""
    open_since = timezone.now() - timedelta(days=settings.REVIEW_REPLY_DAYS)
    if bound and bound[0] == review.public_id:
        review.reply_form = bound[1]
    elif review.reply_at is None and review.created_at >= open_since:
        review.reply_form = ReplyForm(initial={"to": "review"})
    elif (
        review.followup_at and review.followup_reply_at is None and review.followup_at >= open_since
    ):
        review.reply_form = ReplyForm(initial={"to": "followup"})
    else:
        review.reply_form = None


@login_required
def seller_reviews(request: HttpRequest, shop_id: str) -> HttpResponse:
    shop = _staff_shop(request, shop_id)
    return render(request, "reviews/seller.html", _seller_context(request, shop))


@login_required
@require_POST
def seller_reply(request: HttpRequest, shop_id: str, review_id: str) -> HttpResponse:
    shop = _staff_shop(request, shop_id)
    review = selectors.review_by_public_id(public_id=review_id)
    if review is None or review.shop_id != shop.pk:
        raise Http404(_("Review not found."))
    form = ReplyForm(request.POST)
    ok = False
    if form.is_valid():
        try:
            review_reply(
                review=review,
                actor=request.user,
                text=form.cleaned_data["text"],
                to=form.cleaned_data["to"],
            )
            ok = True
        except DomainError as exc:
            add_domain_error(form, exc)
    if request.htmx:
        fresh = selectors.shop_reviews_for_staff(shop=shop).get(pk=review.pk)
        _attach_reply_form(fresh, None if ok else (fresh.public_id, form))
        return render(
            request,
            "reviews/_seller_review.html",
            {"review": fresh, "shop": shop},
            status=200 if ok else 400,
        )
    if ok:
        messages.success(request, _("Your reply is published."))
        return redirect(reverse("reviews:seller", args=[shop.public_id]) + f"#r-{review_id}")
    context = _seller_context(request, shop, bound=(review.public_id, form))
    context["failed"] = review.public_id
    return render(request, "reviews/seller.html", context, status=400)


@session_or_token_required
@cache_control(private=True, max_age=3600)
def photo(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    """A hidden review's photo, for its author, the shop's staff and operators only; a
    visible review's photo is public, so this sends the visitor there."""
    found = ReviewPhoto.objects.select_related("review__shop").filter(pk=pk).first()
    if found is None or size not in SIZES:
        raise Http404
    review = found.review
    if not review.is_hidden:
        return redirect((found.image if size == "full" else found.thumb).url)
    allowed = (
        request.user.pk == review.buyer_id
        or request.user.is_staff
        or request.user.has_role(Role.OPERATOR)
        or shop_for_staff(user=request.user, public_id=review.shop.public_id) is not None
    )
    opened = open_photo(found, size) if allowed else None
    if opened is None:
        raise Http404
    return private_jpeg(opened)
