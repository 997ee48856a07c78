import pytest
from django.test import RequestFactory

from evillage.accounts.tests.factories import PASSWORD, UserFactory
from evillage.core.net import client_ip


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_a_forged_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.9", "10.9.9.9")) == "203.0.113.9"


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the real one.
    assert client_ip(request_from("127.0.0.1", "6.6.6.6, 198.51.100.66")) == "198.51.100.66"


@pytest.mark.django_db
def test_behind_a_proxy_one_attackers_failures_do_not_lock_out_the_victim(client, settings):
    """Five wrong passwords from one client; the owner, from elsewhere, still gets in."""
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(phone="+8613900000077")
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": user.phone, "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": user.phone, "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    assert locked.status_code == 429

    response = client.post(
        "/accounts/login/",
        {"username": user.phone, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert response.status_code == 302
