import pytest
from django import forms
from django.urls import reverse

from evillage.places.forms import PlaceField
from evillage.places.models import Level, Place

pytestmark = pytest.mark.django_db


class ResidenceForm(forms.Form):
    village = PlaceField(level=Level.VILLAGE)


class TownForm(forms.Form):
    town = PlaceField(level=Level.TOWN, required=False)


def dongfeng() -> Place:
    return Place.objects.get(name="东风社区居委会", parent__name="沙集镇")


def test_a_key_chooses_the_place(shipped):
    form = ResidenceForm({"village": dongfeng().key})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"] == dongfeng()


def test_a_key_of_another_level_is_refused(shipped):
    form = ResidenceForm({"village": "cn-320324109"})
    assert not form.is_valid()
    assert form.errors["village"] == ["Choose a place from the list."]


def test_town_and_village_words_choose_the_one_village(shipped):
    form = ResidenceForm({"village": " 沙集镇  东风 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"] == dongfeng()


def test_a_unique_village_name_chooses_it(shipped):
    village = Place.objects.get(key="id-3326012001")  # Klesem, Pekalongan
    form = ResidenceForm({"village": "klesem"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"] == village


def test_an_ambiguous_name_lists_candidates_with_paths_and_keys(shipped):
    form = ResidenceForm({"village": "东风"})
    assert not form.is_valid()
    (message,) = form.errors["village"]
    assert message.startswith("Several places match “东风”:")
    assert "江苏省 徐州市 睢宁县 沙集镇 东风社区居委会 (cn-320324109002)" in message
    assert message.count("(cn-") <= 5


def test_no_match_says_so(shipped):
    form = ResidenceForm({"village": "Atlantis"})
    assert not form.is_valid()
    assert form.errors["village"] == ["No place matches “Atlantis”."]


def test_an_empty_optional_field_is_none(shipped):
    form = TownForm({"town": ""})
    assert form.is_valid()
    assert form.cleaned_data["town"] is None


def test_the_picker_shows_the_chosen_path_and_autocompletes_with_htmx(shipped):
    html = str(ResidenceForm(initial={"village": dongfeng()})["village"])
    assert 'value="cn-320324109002"' in html
    assert "江苏省 徐州市 睢宁县 沙集镇 东风社区居委会" in html
    assert f'hx-get="{reverse("places:autocomplete")}"' in html


def test_autocomplete_lists_choices_then_a_pick_fills_the_picker(shipped, client):
    url = reverse("places:autocomplete")
    fragment = client.get(
        url, {"field": "village", "picker": "id_village", "level": 5, "village": "沙集镇 东风"}
    ).content.decode()
    assert "江苏省 徐州市 睢宁县 沙集镇 东风社区居委会" in fragment
    assert "pick=cn-320324109002" in fragment
    picked = client.get(
        url, {"field": "village", "picker": "id_village", "level": 5, "pick": "cn-320324109002"}
    ).content.decode()
    assert 'name="village"' in picked and 'value="cn-320324109002"' in picked
    assert 'id="id_village-picker"' in picked
    assert "江苏省 徐州市 睢宁县 沙集镇 东风社区居委会" in picked


def test_autocomplete_escapes_what_was_typed(shipped, client):
    fragment = client.get(
        reverse("places:autocomplete"), {"field": "v", "v": "<script>x"}
    ).content.decode()
    assert "<script>x" not in fragment and "&lt;script&gt;x" in fragment
