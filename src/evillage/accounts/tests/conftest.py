import json

import pytest

from evillage.accounts.tests.factories import OperatorFactory, UserFactory
from evillage.places.tests.factories import PlaceFactory


class ApiClient:
    """JSON calls to /api/auth through the full middleware stack (axes included)."""

    def __init__(self, client):
        self.client = client

    def call(self, method: str, path: str, data=None, *, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs = {"content_type": "application/json", "headers": headers}
        if data is not None:
            kwargs["data"] = json.dumps(data)
        return getattr(self.client, method)(f"/api/auth{path}", **kwargs)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at full strength makes every login in these tests take a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def village(db):
    return PlaceFactory()


@pytest.fixture
def resident(db, village):
    """A user living in a village, so they may ask to be verified."""
    return UserFactory(residence=village)


@pytest.fixture
def operator(db):
    return OperatorFactory()
