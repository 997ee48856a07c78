"""Demo observatory: AliResearch's published lists of 2014-2016 imported, so that an
official opening /observatory/ sees the record. The demo's places go down to counties
(and a few towns), so the rows are placed at county level; import the full divisions
(`evillage import_places --country cn --source ...`) and re-import the lists to place
them at village level. Idempotent: a year already imported is left alone."""

from collections.abc import Callable
from pathlib import Path

from evillage.observatory.models import VillageList
from evillage.observatory.services import village_list_import

LISTS = Path(__file__).resolve().parent.parent / "observatory" / "data"
YEARS = (2014, 2015, 2016)


def seed_observatory(*, say: Callable[[str], None] = lambda _: None) -> int:
    """Import the years not yet imported; returns how many lists were imported."""
    done = set(VillageList.objects.values_list("year", flat=True))
    imported = 0
    for year in YEARS:
        if year in done:
            continue
        say(f"Taobao village list {year}")
        village_list_import(path=LISTS / f"taobao_villages_{year}.csv", year=year)
        imported += 1
    return imported
