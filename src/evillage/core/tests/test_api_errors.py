"""Every answer under /api/ is JSON with a stable code, whatever went wrong."""

import pytest

from evillage.accounts.tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/no-such-thing", 404, "not_found"),
        ("get", "/api/shops/", 404, "not_found"),  # a trailing slash too many
        ("delete", "/api/categories", 405, "method_not_allowed"),
    ],
)
def test_unknown_paths_and_methods_answer_json(client, method, path, status, code):
    response = getattr(client, method)(path)

    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.mark.django_db
def test_a_session_write_without_csrf_token_is_refused_with_a_code():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.patch("/api/auth/me", {"display_name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused_with_a_code(client):
    response = client.post("/api/auth/register", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_html_pages_keep_their_own_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/search/?q=a%00b", "/p/a%00b/", "/api/products?q=%00", "/api/places?q=x%00"]
)
def test_a_nul_character_in_the_address_is_a_bad_request_not_a_crash(client, path):
    response = client.get(path)

    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["code"] == "bad_request"


@pytest.mark.django_db
def test_a_nul_character_in_a_json_body_is_refused(client):
    response = client.post(
        "/api/auth/register",
        {"email": "a\u0000b@example.com", "password": "long-enough-2026"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.django_db
def test_an_unexpected_failure_in_the_api_is_still_json(monkeypatch):
    from django.test import Client

    from evillage.catalog import selectors

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(selectors, "category_tree", broken)
    response = Client(raise_request_exception=False).get("/api/categories")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side; it is logged.",
    }
    assert "disk on fire" not in response.content.decode()


@pytest.mark.django_db
def test_a_body_too_large_to_read_is_a_json_bad_request(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(
        "/api/auth/register", {"email": "x" * 500}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
