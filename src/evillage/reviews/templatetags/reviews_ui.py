"""Template pieces of reviews: the credit badge, the credit and DSR panel, review lists.

`{% credit_badge shop.credit %}` costs no query when the credit was select_related
(catalog's product cards do: reviews.selectors.with_shop_credit). The panel and the
lists read a few rows each, once per page.
"""

from django import template
from django.core.paginator import Paginator
from django.utils.html import format_html

from evillage.reviews import selectors
from evillage.reviews.credit import level_for
from evillage.reviews.models import ShopCredit

register = template.Library()

PAGE_PARAM = "reviews"


@register.simple_tag
def credit_badge(credit, with_score: bool = False) -> str:
    """The level as inline symbols (♥ ◆ ♛) with its text ("2 diamonds (612)"); nothing
    below 4 points or without a credit row."""
    if not isinstance(credit, ShopCredit):
        return ""
    level = level_for(credit.score)
    if level is None:
        return ""
    return format_html(
        '<span class="credit-level {}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></span>{}',
        level.tier,
        level.label,
        level.symbols,
        level.label,
        format_html(' <span class="muted" aria-hidden="true">({})</span>', level.score)
        if with_score
        else "",
    )


@register.filter
def reviewer(review) -> str:
    return selectors.reviewer_name(review)


@register.filter
def percent(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


@register.inclusion_tag("reviews/_credit_panel.html")
def credit_panel(shop, product=None) -> dict:
    """Credit (score, level, good rate) and DSR against the category (the product's top
    category on a product page, the shop's main one on its own page)."""
    credit = selectors.stored_credit(shop)
    if credit is None:  # never reviewed: nothing to read
        # shop_id, not shop: assigning the shop would cache this unsaved row on it.
        return {"shop": shop, "credit": ShopCredit(shop_id=shop.pk), "dsr": []}
    if product is not None:
        root = selectors.root_category_of(product.category)
    else:
        root = selectors.shop_root_category(shop=shop)
    return {"shop": shop, "credit": credit, "dsr": selectors.dsr_rows(shop=shop, root=root)}


@register.inclusion_tag("reviews/_list.html", takes_context=True)
def review_list(context, product=None, shop=None) -> dict:
    """The public reviews of a product (or of a shop), newest first, paginated with
    ?reviews=<page>."""
    request = context["request"]
    if selectors.stored_credit(product.shop if product is not None else shop) is None:
        reviews = []  # never reviewed: no query
    elif product is not None:
        reviews = selectors.product_reviews(product=product)
    else:
        reviews = selectors.shop_reviews(shop=shop)
    page = Paginator(reviews, selectors.PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM))
    return {
        "request": request,
        "page_obj": page,
        "param": PAGE_PARAM,
        "show_product": product is None,
    }
