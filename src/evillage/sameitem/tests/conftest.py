import pytest

from evillage.sameitem import shared_index


@pytest.fixture(autouse=True)
def _fresh_index():
    """Every test starts with this process's index unloaded: the database it loads from
    is rolled back between tests."""
    shared_index.reset()
    yield
    shared_index.reset()
