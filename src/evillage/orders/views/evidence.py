"""Evidence photos, sent only to the people of the dispute: never a public file."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control

from evillage.accounts.api_auth import session_or_token_required
from evillage.core.files import private_jpeg
from evillage.orders.selectors import evidence_photo_for


@session_or_token_required
@cache_control(private=True, max_age=3600)
def evidence_photo(request: HttpRequest, name: str) -> HttpResponse:
    evidence = evidence_photo_for(user=request.user, name=name)
    if evidence is None:
        raise Http404
    return private_jpeg(evidence.photo.open("rb"))
