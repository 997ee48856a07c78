"""Storefront pages: home, shop pages and village (place) pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from evillage.catalog.selectors import category_tree, newest_products
from evillage.core.errors import NotFound
from evillage.places.models import Level
from evillage.places.selectors import place_path
from evillage.web import selectors
from evillage.web.listing import listing_context, requested_sort

HOME_CATEGORIES = 12


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "categories": category_tree().roots[:HOME_CATEGORIES],
            "villages": selectors.featured_villages(),
            "shops": selectors.featured_shops(),
            "products": newest_products(),
        },
    )


def shop(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        page = selectors.shop_for_display(public_id=public_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    sort = requested_sort(request)
    products = selectors.shop_products(shop=page.shop, sort=sort)
    return render(
        request,
        "web/shop.html",
        {
            "shop": page.shop,
            "preview": page.preview,
            "village_path": place_path(page.shop.village),
            **listing_context(request, products, sort),
        },
    )


def place(request: HttpRequest, key: str) -> HttpResponse:
    try:
        current = selectors.place_by_key(key=key)
    except NotFound as exc:
        raise Http404(exc.message) from None
    sort = requested_sort(request)
    is_village = current.level == Level.VILLAGE
    return render(
        request,
        "web/place.html",
        {
            "place": current,
            "is_village": is_village,
            "ancestors": place_path(current)[:-1],
            "location": selectors.place_map(current),
            "shops": selectors.village_shops(place=current) if is_village else None,
            "villages": None if is_village else selectors.villages_ranked(place=current),
            **listing_context(request, selectors.place_products(place=current, sort=sort), sort),
        },
    )
