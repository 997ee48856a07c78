"""Pieces every API router shares: the error body and bounded paging."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100

# Error statuses to declare on operations, so that the OpenAPI document shows them.
READ_ERRORS = frozenset({404, 422})
WRITE_ERRORS = frozenset({400, 401, 403, 404, 409, 422})


class ErrorOut(Schema):
    """What every error answer of the API looks like (see evillage.core.errors)."""

    code: str = Field(description="Stable, machine-readable, snake_case.")
    message: str = Field(description="For people, in the request's language.")
    field: str | None = Field(None, description="The input field the error concerns.")
    details: Any = Field(None, description="More about the error, e.g. invalid parameters.")


class BoundedPageNumberPagination(PageNumberPagination):
    """Page numbers from 1 to MAX_PAGE and sizes up to MAX_PAGE_SIZE; anything else is a
    422 error, not a database overflow on a huge offset."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 20, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)
