"""The JSON API: one NinjaAPI, a router per domain app, errors as {code, message}."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from evillage.core.errors import DomainError
from evillage.core.parsers import NulSafeJsonParser

api = NinjaAPI(
    title="eVillage API",
    version="1",
    description=(
        "Read endpoints are public. Writes need a session (with CSRF token) or a "
        "personal token: `Authorization: Bearer <token>` from POST /api/auth/tokens. "
        "Errors are JSON objects with a stable `code` and a human `message`."
    ),
    urls_namespace="api",
    parser=NulSafeJsonParser(),
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    return api.create_response(
        request,
        {"code": "invalid", "message": "The request is not valid.", "details": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc: AuthenticationError):
    return api.create_response(
        request,
        {"code": "unauthenticated", "message": "Log in or send a valid API token."},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(
        request, {"code": "not_found", "message": str(exc) or "Not found."}, status=404
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Errors raised by Django Ninja itself: a failed CSRF check, an unreadable body."""
    message = str(exc)
    if exc.status_code == 403 and "csrf" in message.lower():
        code, message = "csrf_failed", "Send the CSRF token (X-CSRFToken header) or use a token."
    elif exc.status_code == 400:
        code = "bad_request"
        message = "The request body is not JSON text, or it contains a NUL character."
    else:
        code = f"http_{exc.status_code}"
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


def _register_routers() -> None:
    from evillage.accounts.api import router as accounts_router
    from evillage.catalog.api import router as catalog_router
    from evillage.messaging.api import router as messaging_router
    from evillage.observatory.api import router as observatory_router
    from evillage.orders.api import router as orders_router
    from evillage.payments.api import router as payments_router
    from evillage.places.api import router as places_router
    from evillage.reviews.api import router as reviews_router
    from evillage.sameitem.api import router as sameitem_router
    from evillage.shops.api import router as shops_router
    from evillage.sourcing.api import router as sourcing_router

    api.add_router("/auth", accounts_router)
    api.add_router("/places", places_router)
    api.add_router("/shops", shops_router)
    api.add_router("/", catalog_router)
    api.add_router("/", orders_router)
    api.add_router("/", payments_router)
    api.add_router("/", messaging_router)
    api.add_router("/", reviews_router)
    api.add_router("/", sourcing_router)
    api.add_router("/", sameitem_router)
    api.add_router("/", observatory_router)


_register_routers()
