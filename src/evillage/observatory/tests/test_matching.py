"""Matching published village names against divisions, without a database."""

from evillage.observatory.matching import Division, DivisionIndex


def index(*villages: str) -> DivisionIndex:
    places = [
        Division(1, "330000000000", 1, "浙江省", None),
        Division(2, "330100000000", 2, "杭州市", 1),
        Division(3, "330122000000", 3, "桐庐县", 2),
        Division(4, "330122102000", 4, "横村镇", 3),
    ]
    places += [Division(10 + i, f"330122102{i:03d}", 5, name, 4) for i, name in enumerate(villages)]
    return DivisionIndex(places)


def match(idx: DivisionIndex, village: str):
    return idx.match(
        province="浙江", city="杭州市", county="桐庐县", town="横村镇", village=village
    )


def test_a_one_character_village_keeps_its_village_character():
    """'横村' is '横村村村委会' in the codes: stripping 村 from the list's name alone would
    leave '横' and miss it."""
    idx = index("横村村村委会", "元村村村委会", "孙家村村委会")
    m = match(idx, "横村")
    assert m.matched and m.village.name == "横村村村委会"
    assert m.method == "exact"


def test_the_longest_shared_form_decides_and_a_tie_matches_nothing():
    idx = index("东村村委会", "东社区居委会")
    m = match(idx, "东村")
    assert m.village.name == "东村村委会"
    assert not match(index("东一村委会", "东二村委会"), "东村").matched
    assert not match(index("东村村委会", "东村社区居委会"), "东村").matched
