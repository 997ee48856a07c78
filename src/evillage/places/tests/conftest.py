import pytest

from evillage.places.services import places_import_shipped


@pytest.fixture
def shipped(db):
    """The real subset shipped in places/data, both countries."""
    return {r.country: r for r in places_import_shipped()}
