"""Error reports (the 500 emails and logs) must not carry passwords, ID numbers or tokens.

Each test makes a real request fail deep inside the code that holds the secret, then
renders the report Django would send, with its POST data and every frame's variables.
"""

import sys

import pytest
from django.core.signals import got_request_exception
from django.urls import reverse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from evillage.accounts import selectors
from evillage.accounts.models import ApiToken, IdentityVerification, UserRole
from evillage.accounts.services import tokens
from evillage.accounts.tests.factories import PASSWORD, cn_resident_id, indonesian_nik

pytestmark = pytest.mark.django_db

CLEANSED = SafeExceptionReporterFilter.cleansed_substitute
NEW_PASSWORD = "unique-Pa55word-for-reports"


class Report:
    request = None
    html = ""
    text = ""


class Boom(Exception):
    pass


def boom(*args, **kwargs):
    raise Boom("failed on purpose")


@pytest.fixture
def report():
    """The error report of the request that fails in the test, as Django would send it."""
    captured = Report()

    def capture(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info(), is_email=True)
        captured.request = request
        captured.html = reporter.get_traceback_html()
        captured.text = reporter.get_traceback_text()

    got_request_exception.connect(capture)
    yield captured
    got_request_exception.disconnect(capture)


def assert_hidden(report: Report, *secrets: str) -> None:
    assert "failed on purpose" in report.text  # the report is about our failure
    assert CLEANSED in report.html
    for secret in secrets:
        assert secret not in report.html
        assert secret not in report.text


def test_registration_reports_hide_both_passwords(client, report, monkeypatch):
    monkeypatch.setattr(UserRole.objects, "create", boom)
    data = {"phone": "13800000077", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}

    with pytest.raises(Boom):
        client.post(reverse("accounts:register"), data)

    assert_hidden(report, NEW_PASSWORD)
    posted = SafeExceptionReporterFilter().get_post_parameters(report.request)
    assert posted["password"] == posted["password2"] == CLEANSED
    assert posted["phone"] == "13800000077"


def test_login_reports_hide_the_password_in_every_frame(client, user, report, monkeypatch):
    # Fail inside the authentication backend, where the password is a local variable.
    monkeypatch.setattr(selectors, "user_find_by_login", boom)

    with pytest.raises(Boom):
        client.post(reverse("accounts:login"), {"username": user.phone, "password": PASSWORD})

    assert_hidden(report, PASSWORD)
    posted = SafeExceptionReporterFilter().get_post_parameters(report.request)
    assert posted["password"] == CLEANSED


def test_verification_page_reports_hide_the_id_number(client, resident, report, monkeypatch):
    monkeypatch.setattr(IdentityVerification.objects, "create", boom)
    number = cn_resident_id(8)
    typed = f"{number[:6]} {number[6:14]} {number[14:]}"
    client.force_login(resident)

    with pytest.raises(Boom):
        client.post(
            reverse("accounts:verification"),
            {"legal_name": "王小明", "document_type": "cn_ric", "number": typed},
        )

    assert_hidden(report, number, typed, number[6:14])
    posted = SafeExceptionReporterFilter().get_post_parameters(report.request)
    assert posted["number"] == CLEANSED
    assert posted["legal_name"] == "王小明"


def test_verification_api_reports_hide_the_id_number(client, api, resident, report, monkeypatch):
    monkeypatch.setattr(IdentityVerification.objects, "create", boom)
    number = indonesian_nik(8)
    client.force_login(resident)

    with pytest.raises(Boom):
        api.call(
            "post",
            "/me/verification",
            {"legal_name": "Siti", "document_type": "id_nik", "number": number},
        )

    assert_hidden(report, number)


def test_token_api_reports_hide_the_password_and_the_new_token(api, user, report, monkeypatch):
    raw = "raw-token-that-must-stay-secret"
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda nbytes: raw)
    monkeypatch.setattr(ApiToken.objects, "create", boom)

    with pytest.raises(Boom):
        api.call("post", "/tokens", {"login": user.phone, "password": PASSWORD})

    assert_hidden(report, PASSWORD, raw)


def test_registration_api_reports_hide_the_password(api, report, monkeypatch):
    monkeypatch.setattr(UserRole.objects, "create", boom)

    with pytest.raises(Boom):
        api.call("post", "/register", {"phone": "13800000078", "password": NEW_PASSWORD})

    assert_hidden(report, NEW_PASSWORD)


def test_reports_of_token_authenticated_requests_hide_the_token(api, report, monkeypatch):
    from evillage.accounts.api_auth import ApiToken as TokenModel

    monkeypatch.setattr(TokenModel.objects, "select_related", boom)

    with pytest.raises(Boom):
        api.call("get", "/me", token="evt_a-bearer-token-to-hide")

    assert_hidden(report, "a-bearer-token-to-hide")
