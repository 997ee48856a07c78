import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from evillage.accounts.models import Role
from evillage.accounts.tests.factories import UserFactory
from evillage.core.errors import PermissionDenied
from evillage.places.importing import PlaceImportError
from evillage.places.models import Place
from evillage.places.services import place_households_import, place_set_households

pytestmark = pytest.mark.django_db

SHAJI = "cn-320324109"  # 沙集镇


def households(*keys):
    return [Place.objects.get(key=k).households for k in keys]


def test_command_sets_households_and_reports(shipped, tmp_path, capsys):
    csv = tmp_path / "hh.csv"
    csv.write_text("code,households\n320324,310000\n320324109,21000\n")
    call_command("import_households", str(csv))
    assert households("cn-320324", SHAJI) == [310000, 21000]
    assert "2 rows: 2 places updated, 0 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,households\n320324,5\n999999,7\n", "line 3: unknown place code 999999"),
        ("code,households\n320324,5\n320324109,many\n", "line 3: households 'many' is not"),
        ("code,households\n320324,5\n320324109\n", "line 3: expected 2 columns, found 1"),
        ("place,count\n320324,5\n", "line 1: expected the columns code,households"),
    ],
)
def test_bad_households_file_names_the_line_and_changes_nothing(shipped, tmp_path, text, message):
    csv = tmp_path / "hh.csv"
    csv.write_text(text)
    with pytest.raises(CommandError, match=message):
        call_command("import_households", str(csv))
    assert households("cn-320324") == [None]


def test_indonesian_households_need_the_country(shipped, tmp_path):
    csv = tmp_path / "hh.csv"
    csv.write_text("code,households\n3326012001,950\n")
    with pytest.raises(PlaceImportError, match="unknown place code 3326012001"):
        place_households_import(source=csv)
    place_households_import(source=csv, country="id")
    assert households("id-3326012001") == [950]


def test_only_officials_and_operators_set_households(shipped):
    place = Place.objects.get(key=SHAJI)
    with pytest.raises(PermissionDenied):
        place_set_households(place=place, households=5, by=UserFactory(with_roles=[Role.SELLER]))
    place_set_households(place=place, households=5, by=UserFactory(with_roles=[Role.OFFICIAL]))
    assert households(SHAJI) == [5]


def test_households_page_saves_a_count_for_an_official(shipped, client):
    client.force_login(UserFactory(with_roles=[Role.OFFICIAL]))
    url = reverse("places:households", args=[SHAJI])
    page = client.get(url)
    assert page.status_code == 200
    assert "沙集镇" in page.content.decode() and "睢宁县" in page.content.decode()
    response = client.post(url, {"households": "21000"}, follow=True)
    assert "Households saved." in response.content.decode()
    assert households(SHAJI) == [21000]


def test_households_page_rejects_a_negative_count(shipped, client):
    client.force_login(UserFactory(with_roles=[Role.OPERATOR]))
    response = client.post(reverse("places:households", args=[SHAJI]), {"households": "-3"})
    assert response.status_code == 200
    assert households(SHAJI) == [None]


def test_households_page_upload_applies_the_csv(shipped, client, tmp_path):
    client.force_login(UserFactory(with_roles=[Role.OPERATOR]))
    url = reverse("places:households", args=["cn-320324"])
    with (tmp_path / "hh.csv").open("w") as f:
        f.write("code,households\n320324109,21000\n")
    with (tmp_path / "hh.csv").open("rb") as f:
        response = client.post(url, {"file": f}, follow=True)
    assert "1 rows read: 1 places updated." in response.content.decode()
    assert households(SHAJI) == [21000]


def test_households_page_upload_shows_the_bad_line(shipped, client, tmp_path):
    client.force_login(UserFactory(with_roles=[Role.OPERATOR]))
    (tmp_path / "hh.csv").write_text("code,households\n320324109,21000\n4299,1\n")
    with (tmp_path / "hh.csv").open("rb") as f:
        response = client.post(reverse("places:households", args=[SHAJI]), {"file": f})
    assert response.status_code == 200
    assert "hh.csv, line 3: unknown place code 4299" in response.content.decode()
    assert households(SHAJI) == [None]


def test_households_page_is_forbidden_to_others(shipped, client):
    url = reverse("places:households", args=[SHAJI])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory(with_roles=[Role.SELLER]))
    assert client.get(url).status_code == 403
    assert client.post(url, {"households": "9"}).status_code == 403
    assert households(SHAJI) == [None]
