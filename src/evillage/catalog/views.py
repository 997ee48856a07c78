"""Storefront pages of the catalogue: categories, product pages, search."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from evillage.catalog import selectors
from evillage.core.errors import NotFound
from evillage.web.listing import listing_context, requested_sort


def categories(request: HttpRequest) -> HttpResponse:
    tree = selectors.category_tree()
    counts = selectors.category_product_counts(tree=tree)
    sections = [
        (root, counts[root.pk], [(c, counts[c.pk]) for c in tree.children.get(root.pk, [])])
        for root in tree.roots
    ]
    return render(request, "catalog/categories.html", {"sections": sections})


def category(request: HttpRequest, slug: str) -> HttpResponse:
    tree = selectors.category_tree()
    current = tree.by_slug(slug)
    if current is None:
        raise Http404(_("No such category."))
    sort = requested_sort(request)
    products = selectors.category_products(tree=tree, category=current, sort=sort)
    return render(
        request,
        "catalog/category.html",
        {
            "category": current,
            "ancestors": tree.ancestors(current),
            "subcategories": tree.children.get(current.pk, []),
            **listing_context(request, products, sort),
        },
    )


def product(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        page = selectors.product_for_display(public_id=public_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    item = page.product
    tree = selectors.category_tree()
    category = tree.by_id.get(item.category_id, item.category)
    shop = item.shop
    return render(
        request,
        "catalog/product.html",
        {
            "product": item,
            "preview": page.preview,
            "photos": selectors.product_photos(product=item),
            "variants": selectors.product_variants(product=item),
            "category_path": [*tree.ancestors(category), category],
            "shop": shop,
            "shop_products": selectors.shop_other_products(product=item),
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    query = selectors.clean_search_query(request.GET.get("q", ""))
    too_long = len(query) > selectors.SEARCH_MAX_LENGTH
    tree = selectors.category_tree()
    current = tree.by_slug(request.GET.get("category", ""))
    sort = requested_sort(request)
    context = {
        "search_query": query[: selectors.SEARCH_MAX_LENGTH],
        "too_long": too_long,
        "category": current,
        # The category select lists the top categories, plus a subcategory being filtered on.
        "categories": tree.roots if current in (None, *tree.roots) else [*tree.roots, current],
    }
    if query and not too_long:
        products = selectors.search_products(query=query, tree=tree, category=current, sort=sort)
        context.update(listing_context(request, products, sort))
    return render(request, "catalog/search.html", context)
