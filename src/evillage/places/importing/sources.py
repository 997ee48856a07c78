"""Where each level of a country's divisions is read from, and how."""

from dataclasses import dataclass

from evillage.places.models import Country, Level


@dataclass(frozen=True)
class LevelSource:
    """One level of a country's division files."""

    level: int
    stem: str  # "villages" → villages.csv.gz or villages.csv
    code_column: str
    code_length: int
    parent_column: str | None
    parent_level: int | None
    has_coords: bool
    # Indonesian villages may also come split: villages/villages_NN.csv[.gz].
    may_be_split: bool = False


SOURCES: dict[str, tuple[LevelSource, ...]] = {
    Country.CHINA: (
        LevelSource(Level.PROVINCE, "provinces", "code", 2, None, None, False),
        LevelSource(Level.CITY, "cities", "code", 4, "provinceCode", Level.PROVINCE, False),
        LevelSource(Level.COUNTY, "areas", "code", 6, "cityCode", Level.CITY, False),
        LevelSource(Level.TOWN, "streets", "code", 9, "areaCode", Level.COUNTY, False),
        LevelSource(Level.VILLAGE, "villages", "code", 12, "streetCode", Level.TOWN, False),
    ),
    Country.INDONESIA: (
        LevelSource(Level.PROVINCE, "provinces", "id", 2, None, None, True),
        LevelSource(Level.COUNTY, "regencies", "id", 4, "province_id", Level.PROVINCE, True),
        LevelSource(Level.TOWN, "districts", "id", 6, "regency_id", Level.COUNTY, True),
        LevelSource(
            Level.VILLAGE, "villages", "id", 10, "district_id", Level.TOWN, True, may_be_split=True
        ),
    ),
}
