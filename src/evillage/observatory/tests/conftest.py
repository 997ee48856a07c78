import shutil
from pathlib import Path

import pytest

from evillage.observatory import services
from evillage.places import services as place_services
from evillage.places.services import SHIPPED_DATA_DIR
from evillage.places.tests.factories import village

DATA = Path(__file__).parent / "data"


def load_divisions(tmp_path: Path) -> None:
    """Shipped provinces, cities and counties (with their coordinates) plus the towns and
    villages of the counties named in the published lists (tests/data/cn, see its README)."""
    folder = tmp_path / "cn"
    folder.mkdir()
    for stem in ("provinces", "cities", "areas"):
        shutil.copy(SHIPPED_DATA_DIR / "cn" / f"{stem}.csv.gz", folder)
    for stem in ("streets", "villages"):
        shutil.copy(DATA / "cn" / f"{stem}.csv.gz", folder)
    place_services.places_import(
        country="cn", source=folder, coords=SHIPPED_DATA_DIR / "cn" / "coords.csv.gz"
    )


@pytest.fixture
def divisions(db, tmp_path):
    load_divisions(tmp_path)


HEADER = "province,city,county,town,village,specialty\n"


@pytest.fixture
def listed(db, tmp_path):
    """Lists of 2015 and 2016 over four villages of one town (沙集镇) and one elsewhere."""
    for n in range(1, 5):
        village(code=f"32032410420{n}", name=f"东风{n}村")
    other = village(code="320324105201", name="西风村")
    other.parent.name = "古邳镇"
    other.parent.save()
    town = village(code="320324104201").parent
    town.name = "沙集镇"
    town.save()
    county = town.parent
    county.name, county.parent.name, county.parent.parent.name = "睢宁县", "徐州市", "江苏省"
    county.save(), county.parent.save(), county.parent.parent.save()
    rows = {
        2015: ["沙集镇,东风1村,家具", "沙集镇,东风2村,家具", "古邳镇,西风村,板材"],
        2016: ["沙集镇,东风1村,家具", "沙集镇,东风2村,家具", "沙集镇,东风3村,家具"],
    }
    for year, lines in rows.items():
        path = tmp_path / f"{year}.csv"
        path.write_text(
            HEADER + "".join(f"江苏省,徐州市,睢宁县,{line}\n" for line in lines), encoding="utf-8"
        )
        services.village_list_import(path=path, year=year)
    return town
