import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evillage.core.errors import DomainError, NotFound
from evillage.core.forms import add_domain_error
from evillage.places import selectors, services
from evillage.places.forms import HouseholdsForm, HouseholdsUploadForm
from evillage.places.models import Place
from evillage.places.widgets import PlacePicker

AUTOCOMPLETE_LIMIT = 8


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
def autocomplete(request):
    """HTMX fragment for the place picker.

    `?field=<input name>&picker=<id>&level=5&<field>=<typed text>` lists choices;
    `&pick=<key>` answers the picker itself, re-rendered holding that place.
    """
    field = request.GET.get("field", "place")[:50]
    picker = request.GET.get("picker", f"place-{field}")[:80]
    level = _int_or_none(request.GET.get("level"))
    pick = request.GET.get("pick")
    if pick:
        widget = PlacePicker(level=level)
        return HttpResponse(widget.render(field, pick, attrs={"id": picker}))
    text = request.GET.get(field, request.GET.get("q", ""))[:100]
    places = selectors.place_search(q=text, level=level, limit=AUTOCOMPLETE_LIMIT)
    base = reverse("places:autocomplete")
    keep = {"field": field, "picker": picker, "level": level or ""}
    choices = [
        {
            "label": selectors.path_label(p),
            "key": p.key,
            "url": f"{base}?{urlencode({**keep, 'pick': p.key})}",
        }
        for p in places
    ]
    return render(
        request,
        "places/place_choices.html",
        {"choices": choices, "picker": picker, "text": text.strip()},
    )


def _place_or_404(key: str) -> Place:
    try:
        return selectors.place_get(key=key)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def households(request, key: str):
    """Officials and operators set a place's households, or upload a CSV of them."""
    if not selectors.can_edit_households(request.user):
        raise DjangoPermissionDenied(_("Only officials and operators can edit household counts."))
    place = _place_or_404(key)
    form = HouseholdsForm(initial={"households": place.households})
    upload = HouseholdsUploadForm()
    if request.method == "POST" and "file" in request.FILES:
        upload = HouseholdsUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            uploaded = upload.cleaned_data["file"]
            text = io.TextIOWrapper(uploaded.file, encoding="utf-8-sig", newline="")
            try:
                result = services.place_households_import(
                    source=text, country=place.country, by=request.user, name=uploaded.name
                )
            except DomainError as exc:
                upload.add_error("file", exc.message)
            else:
                messages.success(
                    request,
                    _("%(rows)d rows read: %(updated)d places updated.")
                    % {"rows": result.rows, "updated": result.updated},
                )
                return redirect("places:households", key=place.key)
    elif request.method == "POST":
        form = HouseholdsForm(request.POST)
        if form.is_valid():
            try:
                services.place_set_households(
                    place=place, households=form.cleaned_data["households"], by=request.user
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Households saved."))
                return redirect("places:households", key=place.key)
    return render(
        request,
        "places/households.html",
        {
            "place": place,
            "path": selectors.place_path(place),
            "children": selectors.place_children(place=place)[:200],
            "form": form,
            "upload": upload,
        },
    )
