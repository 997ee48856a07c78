"""Seller centre pages for products: create/edit with variants, stock, status, photos.

The catalogue's seller interface: routed by shops.urls (under the shop's pages, names
`shops:…`) and rendered with the seller centre's templates in shops/templates.

Every write runs inside one transaction: an error on any variant row rolls back the
whole submission, so a form shown with errors has changed nothing.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from evillage.catalog import services
from evillage.catalog.forms import (
    BLANK_SKU_ROWS_EDIT,
    PhotoUploadForm,
    ProductForm,
    SkuForm,
    SkuFormSet,
    StockForm,
)
from evillage.catalog.models import Product, ProductStatus
from evillage.catalog.selectors import shop_photo, shop_product, shop_sku
from evillage.core.errors import DomainError
from evillage.core.forms import add_domain_error
from evillage.core.money import minor_digits
from evillage.shops.views import owner_shop, staff_shop


class _RowError(Exception):
    """A service error on one variant row; raised to roll the whole form back."""

    def __init__(self, form, error: DomainError):
        super().__init__(error.message)
        self.form, self.error = form, error


def _product(shop, product_id: str) -> Product:
    product = shop_product(shop=shop, public_id=product_id)
    if product is None:
        raise Http404(_("Product not found."))
    return product


def _price_text(amount: int, currency: str) -> str:
    value = Decimal(amount).scaleb(-minor_digits(currency))
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def _sku_input(form: SkuForm) -> services.SkuInput:
    data = form.cleaned_data
    return services.SkuInput(
        label=data["label"],
        price=data["price"] or None,
        available=data["available"] or 0,
        is_active=data["is_active"],
    )


def _filled_rows(formset) -> list[SkuForm]:
    return [form for form in formset.forms if form.cleaned_data and not form.is_blank()]


def _redirect_back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
def product_new(request, shop_id: str):
    shop = owner_shop(request, shop_id)
    form = ProductForm(request.POST or None)
    formset = SkuFormSet(request.POST or None, prefix="skus")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [row for row in _filled_rows(formset) if not row.cleaned_data.get("DELETE")]
        try:
            product = services.product_create(
                shop=shop,
                actor=request.user,
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                skus=[_sku_input(row) for row in rows],
            )
        except DomainError as exc:
            row_index = exc.details.get("sku")
            if row_index is not None and row_index < len(rows):
                add_domain_error(rows[row_index], exc)
            elif exc.field in form.fields:
                add_domain_error(form, exc)
            else:
                formset._non_form_errors = formset.error_class([exc.message])
        else:
            messages.success(
                request, _("Product saved as a draft. Add photos, then put it on sale.")
            )
            url = reverse("shops:product", args=[shop.public_id, product.public_id])
            return redirect(f"{url}#photos")
    return render(
        request,
        "shops/product_form.html",
        {"shop": shop, "form": form, "formset": formset, "product": None, "tab": "products"},
    )


def _save_rows(request, product: Product, formset) -> None:
    """Apply each variant row; raise _RowError (rolling back) on the first bad one."""
    by_id = {sku.public_id: sku for sku in product.skus.all()}
    updates, adds, removals = [], [], []
    for row in _filled_rows(formset):
        sku = by_id.get(row.cleaned_data["id"])
        if row.cleaned_data["id"] and sku is None:
            raise _RowError(row, DomainError(_("This variant no longer exists.")))
        if sku is None:
            if not row.cleaned_data.get("DELETE"):
                adds.append(row)
        elif row.cleaned_data.get("DELETE"):
            removals.append((row, sku))
        else:
            updates.append((row, sku))
    for row, sku in updates:
        data = row.cleaned_data
        try:
            services.sku_update(
                sku=sku,
                actor=request.user,
                label=data["label"],
                price=data["price"] or None,
                is_active=data["is_active"],
            )
            # Stock only if the seller changed it on the page, and only if it still is
            # what the page showed: orders and the inline stock form change it too.
            if "available" in row.changed_data and data["available"] is not None:
                services.sku_set_stock(
                    sku=sku,
                    actor=request.user,
                    available=data["available"],
                    expected=row.shown_available(),
                )
        except DomainError as exc:
            if exc.code == "stock_changed":
                row.show_current_stock(exc.details["available"])
            raise _RowError(row, exc) from None
    for row in adds:
        try:
            services.sku_add(product=product, actor=request.user, sku=_sku_input(row))
        except DomainError as exc:
            raise _RowError(row, exc) from None
    for row, sku in removals:
        try:
            services.sku_remove(sku=sku, actor=request.user)
        except DomainError as exc:
            raise _RowError(row, exc) from None


@login_required
def product_edit(request, shop_id: str, product_id: str):
    shop = owner_shop(request, shop_id)
    product = _product(shop, product_id)
    initial = [
        {
            "id": sku.public_id,
            "label": sku.label,
            "price": _price_text(sku.price, product.currency),
            "available": sku.available,
            "is_active": sku.is_active,
        }
        for sku in product.skus.all()
    ]
    form = ProductForm(
        request.POST or None,
        initial={
            "title": product.title,
            "category": product.category.slug,
            "description": product.description,
        },
    )
    formset = SkuFormSet(request.POST or None, prefix="skus", initial=initial)
    formset.extra = BLANK_SKU_ROWS_EDIT
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                try:
                    services.product_update(
                        product=product,
                        actor=request.user,
                        title=form.cleaned_data["title"],
                        description=form.cleaned_data["description"],
                        category=form.cleaned_data["category"],
                    )
                except DomainError as exc:
                    raise _RowError(form, exc) from None
                _save_rows(request, product, formset)
        except _RowError as failure:
            add_domain_error(failure.form, failure.error)
            product.refresh_from_db()
        else:
            messages.success(request, _("Product saved."))
            return redirect("shops:product", shop_id=shop.public_id, product_id=product.public_id)
    return render(
        request,
        "shops/product_form.html",
        {
            "shop": shop,
            "form": form,
            "formset": formset,
            "product": product,
            "photos": product.photos.all(),
            "photo_form": PhotoUploadForm(),
            "tab": "products",
            "Status": ProductStatus,
        },
    )


@login_required
@require_GET
def variant_row(request, shop_id: str):
    """HTMX: one more blank variant row, and the formset counter bumped out of band."""
    owner_shop(request, shop_id)
    try:
        index = max(0, int(request.GET.get("index", "0")))
    except ValueError:
        index = 0
    if index >= services.MAX_SKUS:
        return render(request, "shops/_variant_row.html", {"full": True})
    row = SkuForm(prefix=f"skus-{index}", initial={"is_active": True})
    return render(
        request,
        "shops/_variant_row.html",
        {"row": row, "next_index": index + 1, "shop_id": shop_id},
    )


@login_required
@require_POST
def product_status(request, shop_id: str, product_id: str):
    shop = owner_shop(request, shop_id)
    product = _product(shop, product_id)
    status = request.POST.get("status", "")
    try:
        services.product_set_status(product=product, actor=request.user, status=status)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("“%(title)s” is now: %(status)s.")
            % {"title": product.title, "status": product.get_status_display()},
        )
    return _redirect_back(
        request, reverse("shops:product", args=[shop.public_id, product.public_id])
    )


@login_required
@require_POST
def sku_stock(request, shop_id: str, sku_id: str):
    """Set one variant's stock; answers HTMX with the updated inline form."""
    shop = staff_shop(request, shop_id)
    sku = shop_sku(shop=shop, public_id=sku_id)
    if sku is None:
        raise Http404
    form = StockForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.sku_set_stock(
                sku=sku,
                actor=request.user,
                available=form.cleaned_data["available"],
                expected=form.cleaned_data["expected"],
            )
        except DomainError as exc:
            error = exc.message
            if exc.code == "stock_changed":
                sku.available = exc.details["available"]  # show the stock as it is now
    else:
        error = form.errors["available"][0]
    if request.htmx:
        return render(
            request,
            "shops/_stock_form.html",
            {"shop": shop, "sku": sku, "error": error, "saved": error is None, "can_manage": True},
        )
    if error:
        messages.error(request, f"{sku.label}: {error}")
    else:
        messages.success(request, _("Stock of “%(label)s” saved.") % {"label": sku.label})
    return _redirect_back(request, reverse("shops:shop", args=[shop.public_id]))


@login_required
@require_POST
def photo_upload(request, shop_id: str, product_id: str):
    shop = owner_shop(request, shop_id)
    product = _product(shop, product_id)
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose one or more photos to upload."))
    else:
        try:
            added = services.photos_add(
                product=product, actor=request.user, uploads=form.cleaned_data["photos"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            count = len(added)
            messages.success(
                request, ngettext("%(n)d photo added.", "%(n)d photos added.", count) % {"n": count}
            )
    url = reverse("shops:product", args=[shop.public_id, product.public_id])
    return redirect(f"{url}#photos")


@login_required
@require_POST
def photo_action(request, shop_id: str, photo_id: str):
    """Remove a photo, or move it one place left or right."""
    shop = owner_shop(request, shop_id)
    photo = shop_photo(shop=shop, public_id=photo_id)
    if photo is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "remove":
            services.photo_remove(photo=photo, actor=request.user)
        elif action in ("left", "right"):
            offset = -1 if action == "left" else 1
            services.photo_move(photo=photo, actor=request.user, offset=offset)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    url = reverse("shops:product", args=[shop.public_id, photo.product.public_id])
    return redirect(f"{url}#photos")
