"""Pagination and sorting shared by every product listing of the storefront."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from evillage.catalog.selectors import PAGE_SIZE, normalize_sort

# The order of the sort links on listing pages.
SORT_CHOICES = [
    ("newest", _("Newest")),
    ("sales", _("Best selling")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
]


def requested_sort(request: HttpRequest) -> str:
    return normalize_sort(request.GET.get("sort"))


def paginate(request: HttpRequest, items: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """The page asked for in `?page=`; a page past the end shows the last one, and
    anything that is not a number shows the first."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def listing_context(request: HttpRequest, items: QuerySet, sort: str) -> dict:
    return {
        "page_obj": paginate(request, items),
        "sort": sort,
        "sort_choices": SORT_CHOICES,
    }
