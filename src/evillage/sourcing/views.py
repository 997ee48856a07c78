"""Sourcing pages: the supplier catalogue, an offer (buy wholesale, a sample, link for
drop-shipping), a supplier's offers and terms, its order desk, and a retail seller's
suppliers, drop-ship links and purchase orders. Thin: services and selectors decide."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from evillage.catalog.models import Product
from evillage.catalog.selectors import category_tree, clean_search_query, shop_product
from evillage.core.errors import DomainError
from evillage.core.forms import add_domain_error
from evillage.core.money import minor_digits
from evillage.orders.models import OrderState
from evillage.orders.selectors import order_actions, viewer_of
from evillage.shops.models import Shop, ShopKind
from evillage.shops.selectors import shops_of_user, user_can_manage_shop
from evillage.shops.views import owner_shop, staff_shop
from evillage.sourcing import selectors, services
from evillage.sourcing.forms import (
    DropshipLinkForm,
    OfferBuyForm,
    SampleForm,
    WholesaleTermsForm,
)
from evillage.sourcing.models import DropshipLink, WholesaleTerms

PAGE_SIZE = 24
ORDERS_PAGE_SIZE = 20
SORT_CHOICES = [
    ("newest", gettext_lazy("Newest")),
    ("price_asc", gettext_lazy("Price: low to high")),
    ("price_desc", gettext_lazy("Price: high to low")),
    ("sales", gettext_lazy("Best selling")),
]
STATE_TABS = [
    ("", gettext_lazy("All")),
    (OrderState.WAIT_BUYER_PAY, gettext_lazy("To pay")),
    (OrderState.WAIT_SELLER_SEND, gettext_lazy("To ship")),
    (OrderState.WAIT_BUYER_CONFIRM, gettext_lazy("Shipped")),
    (OrderState.FINISHED, gettext_lazy("Finished")),
    (OrderState.CLOSED, gettext_lazy("Closed")),
]


def _with_tier_rows(offer: Product) -> Product:
    offer.tier_rows = selectors.tier_rows(
        offer.price_tiers.all(), min_quantity=offer.wholesale.min_quantity
    )
    return offer


# --- the supplier catalogue (public) ---------------------------------------------------------


def catalogue(request):
    query = clean_search_query(request.GET.get("q", ""))[:100]
    tree = category_tree()
    category = (
        tree.by_slug(request.GET.get("category", "")) if request.GET.get("category") else None
    )
    sort = selectors.normalize_offer_sort(request.GET.get("sort"))
    offers = selectors.offer_search(query=query, category=category, sort=sort)
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    for offer in page:
        _with_tier_rows(offer)
    return render(
        request,
        "sourcing/catalogue.html",
        {
            "page_obj": page,
            "search_query": query,
            "category": category,
            "categories": [c for c in tree.by_id.values() if c.parent_id is None],
            "sort": sort,
            "sort_choices": SORT_CHOICES,
        },
    )


def _retail_skus(user):
    """The variants of the retail shops the user owns that may be linked."""
    if not user.is_authenticated:
        return []
    skus = []
    for shop in Shop.objects.filter(owner=user).exclude(kind=ShopKind.SUPPLIER):
        skus.extend(selectors.linkable_skus(shop=shop))
    return skus


def _offer_or_404(request, product_id: str) -> Product:
    offer = selectors.offer_get(public_id=product_id, user=request.user)
    if offer is None:
        raise Http404(_("Offer not found."))
    return _with_tier_rows(offer)


def _render_offer(request, offer: Product, *, buy=None, sample=None, link=None, status=200):
    terms: WholesaleTerms = offer.wholesale
    retail_skus = _retail_skus(request.user) if terms.dropship else []
    buy = buy or OfferBuyForm(variants=offer.variants)
    if terms.sample_price is not None and sample is None:
        sample = SampleForm(variants=offer.variants, max_quantity=terms.sample_max_quantity)
    if retail_skus and link is None:
        link = DropshipLinkForm(retail_skus=retail_skus, supplier_skus=offer.variants)
    own = request.user.is_authenticated and offer.shop.owner_id == request.user.pk
    return render(
        request,
        "sourcing/offer.html",
        {
            "offer": offer,
            "terms": terms,
            "shop": offer.shop,
            "photos": list(offer.photos.all()),
            "buy_form": buy,
            "sample_form": sample,
            "link_form": link if retail_skus else None,
            "own": own,
        },
        status=status,
    )


def offer(request, product_id: str):
    return _render_offer(request, _offer_or_404(request, product_id))


@login_required
@require_POST
def offer_buy(request, product_id: str):
    """Wholesale (quantity per variant) or a sample (one variant): into the cart, then
    on to checkout (or back to the cart)."""
    offer = _offer_or_404(request, product_id)
    terms = offer.wholesale
    is_sample = request.POST.get("kind") == "sample"
    if is_sample and terms.sample_price is not None:
        form = SampleForm(
            request.POST, variants=offer.variants, max_quantity=terms.sample_max_quantity
        )
        forms_kw = {"sample": form}
    else:
        form = OfferBuyForm(request.POST, variants=offer.variants)
        forms_kw = {"buy": form}
    if form.is_valid():
        if isinstance(form, SampleForm):
            quantities = {form.cleaned_data["sku"]: form.cleaned_data["quantity"]}
        else:
            quantities = form.quantities()
        try:
            units = services.wholesale_cart_put(
                user=request.user, product=offer, quantities=quantities
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(units)d units of “%(title)s” are in your cart.")
                % {"units": units, "title": offer.title},
            )
            if "to_cart" in request.POST:
                return redirect("orders:cart")
            return redirect("orders:checkout")
    return _render_offer(request, offer, status=400, **forms_kw)


@login_required
@require_POST
def offer_link(request, product_id: str):
    """A retail seller sells one of their own variants drop-shipped from this offer."""
    offer = _offer_or_404(request, product_id)
    retail_skus = _retail_skus(request.user)
    form = DropshipLinkForm(request.POST, retail_skus=retail_skus, supplier_skus=offer.variants)
    if form.is_valid():
        retail = next(s for s in retail_skus if s.public_id == form.cleaned_data["retail_sku"])
        supplier = next(
            s for s in offer.variants if s.public_id == form.cleaned_data["supplier_sku"]
        )
        from evillage.sourcing.dropship import dropship_link_create  # the lead's module

        try:
            dropship_link_create(user=request.user, retail_sku=retail, supplier_sku=supplier)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("“%(retail)s” is now shipped by %(supplier)s when it sells.")
                % {"retail": f"{retail.product.title} · {retail.label}", "supplier": offer.shop},
            )
            return redirect("sourcing:shop_sourcing", shop_id=retail.product.shop.public_id)
    return _render_offer(request, offer, link=form, status=400)


# --- a retail seller: suppliers, drop-ship links, purchase orders ----------------------------


@login_required
def shop_sourcing(request, shop_id: str):
    shop = staff_shop(request, shop_id)
    return render(
        request,
        "sourcing/shop_sourcing.html",
        {
            "shop": shop,
            "tab": "sourcing",
            "suppliers": list(selectors.suppliers_of(shop=shop)),
            "links": list(selectors.dropship_links_of(shop=shop)),
            "can_manage": user_can_manage_shop(user=request.user, shop=shop),
        },
    )


@login_required
@require_POST
def link_remove(request, shop_id: str, sku_id: str):
    shop = owner_shop(request, shop_id)
    link = (
        DropshipLink.objects.select_related("retail_sku__product__shop")
        .filter(retail_sku__public_id=sku_id, retail_sku__product__shop=shop)
        .first()
    )
    if link is None:
        raise Http404
    from evillage.sourcing.dropship import dropship_link_remove  # the lead's module

    try:
        dropship_link_remove(user=request.user, link=link)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The drop-ship link is removed."))
    return redirect("sourcing:shop_sourcing", shop_id=shop.public_id)


def _order_page(request, orders):
    state = request.GET.get("state", "")
    if state in OrderState.values:
        orders = orders.filter(state=state)
    page = Paginator(orders, ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = viewer_of(request.user)
    for order in page:
        order.actions = order_actions(order=order, user=request.user, viewer=viewer)
        order.retail_order = selectors.dropship_retail_order(order)
    return page, state


@login_required
def purchases(request):
    """The user's orders at supplier shops: wholesale and drop-ship purchase orders."""
    page, state = _order_page(request, selectors.purchase_orders(buyer=request.user))
    return render(
        request,
        "sourcing/purchases.html",
        {
            "page_obj": page,
            "state": state,
            "tabs": STATE_TABS,
            "shops": [s for s in shops_of_user(user=request.user) if s.kind != ShopKind.SUPPLIER],
        },
    )


# --- a supplier: offers and terms, the order desk --------------------------------------------


def _supplier_shop(request, shop_id: str, *, owner: bool = False) -> Shop:
    shop = owner_shop(request, shop_id) if owner else staff_shop(request, shop_id)
    if shop.kind != ShopKind.SUPPLIER:
        raise Http404(_("Only supplier shops sell wholesale."))
    return shop


@login_required
def supplier_offers(request, shop_id: str):
    shop = _supplier_shop(request, shop_id)
    products = list(
        Product.objects.filter(shop=shop)
        .select_related("wholesale")
        .prefetch_related("price_tiers")
        .order_by("-created_at", "-id")
    )
    for product in products:
        terms = product.terms = getattr(product, "wholesale", None)
        product.tier_rows = (
            selectors.tier_rows(product.price_tiers.all(), min_quantity=terms.min_quantity)
            if terms
            else []
        )
    return render(
        request,
        "sourcing/supplier_offers.html",
        {
            "shop": shop,
            "tab": "wholesale",
            "products": products,
            "can_manage": user_can_manage_shop(user=request.user, shop=shop),
        },
    )


def _price_text(amount: int, currency: str) -> str:
    """Minor units as a person types them: "12.5", "125000"."""
    value = Decimal(amount).scaleb(-minor_digits(currency))
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def _terms_initial(product: Product) -> dict:
    terms = selectors.terms_of(product=product)
    if terms is None:
        return {"min_quantity": 1, "sample_max_quantity": 1, "lead_time_days": 2, "dropship": True}
    initial = {
        "min_quantity": terms.min_quantity,
        "sample_price": _price_text(terms.sample_price, product.currency)
        if terms.sample_price
        else "",
        "sample_max_quantity": terms.sample_max_quantity,
        "lead_time_days": terms.lead_time_days,
        "dropship": terms.dropship,
    }
    for index, tier in enumerate(product.price_tiers.order_by("min_quantity")):
        initial[f"tier_{index}_from"] = tier.min_quantity
        initial[f"tier_{index}_price"] = _price_text(tier.unit_price, product.currency)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def terms_edit(request, shop_id: str, product_id: str):
    shop = _supplier_shop(request, shop_id, owner=True)
    product = shop_product(shop=shop, public_id=product_id)
    if product is None:
        raise Http404(_("Product not found."))
    form = WholesaleTermsForm(
        request.POST or None, currency=product.currency, initial=_terms_initial(product)
    )
    status = 200
    if request.method == "POST":
        if "remove" in request.POST:
            try:
                services.wholesale_terms_remove(actor=request.user, product=product)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is no longer sold wholesale.") % {"title": product.title},
                )
            return redirect("sourcing:supplier_offers", shop_id=shop.public_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.wholesale_terms_set(
                    actor=request.user,
                    product=product,
                    min_quantity=data["min_quantity"],
                    tiers=data["tiers"],
                    sample_price=data["sample_price_minor"],
                    sample_max_quantity=data["sample_max_quantity"],
                    lead_time_days=data["lead_time_days"],
                    dropship=data["dropship"],
                )
            except DomainError as exc:
                _terms_error(form, exc)
            else:
                messages.success(request, _("Wholesale terms saved."))
                return redirect("sourcing:supplier_offers", shop_id=shop.public_id)
        status = 400
    return render(
        request,
        "sourcing/terms_form.html",
        {
            "shop": shop,
            "product": product,
            "form": form,
            "tab": "wholesale",
            "has_terms": selectors.terms_of(product=product) is not None,
        },
        status=status,
    )


def _terms_error(form: WholesaleTermsForm, exc: DomainError) -> None:
    """A tier error goes on the tier's row; others on their field or above the form."""
    if exc.field == "tiers":
        rows = form.cleaned_data.get("tier_rows", [])
        index = exc.details.get("tier")
        if index is not None and index < len(rows):
            column = "price" if exc.details.get("part") == "unit_price" else "from"
            form.add_error(f"tier_{rows[index]}_{column}", exc.message)
            return
        form.add_error(None, exc.message)
        return
    if exc.field == "sample_price":
        form.add_error("sample_price", exc.message)
        return
    add_domain_error(form, exc)


@login_required
def supplier_desk(request, shop_id: str):
    """The supplier's orders: wholesale and drop-ship purchase orders, with a ship form."""
    shop = _supplier_shop(request, shop_id)
    page, state = _order_page(request, selectors.supplier_desk_orders(shop=shop))
    return render(
        request,
        "sourcing/supplier_desk.html",
        {"shop": shop, "tab": "desk", "page_obj": page, "state": state, "tabs": STATE_TABS},
    )
