import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from evillage.accounts import services
from evillage.accounts.models import IdDocument, Role, User, VerificationStatus
from evillage.accounts.tests.factories import (
    PASSWORD,
    UserFactory,
    VerifiedSellerFactory,
    cn_resident_id,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:accounts_identityverification_changelist")


@pytest.fixture
def admin(client, operator):
    client.force_login(operator)
    return client


def pending(village, serial: int, name: str = "赵四"):
    """A pending request for a new resident; returns (verification, full number)."""
    number = cn_resident_id(serial)
    verification = services.verification_submit(
        user=UserFactory(residence=village),
        legal_name=name,
        document_type=IdDocument.CN_RESIDENT_ID,
        number=number,
    )
    return verification, number


def run_action(admin, action: str, verifications, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [v.pk for v in verifications], **extra}
    return admin.post(QUEUE, data)


# Users -----------------------------------------------------------------------------------


def test_the_user_list_shows_roles_verification_and_finds_phones_as_typed(admin):
    seller = VerifiedSellerFactory(display_name="沙集卖家")
    UserFactory(display_name="另一个人")

    page = admin.get(
        reverse("admin:accounts_user_changelist"), {"q": seller.phone[3:6] + " " + seller.phone[6:]}
    ).content.decode()

    assert "沙集卖家" in page
    assert "另一个人" not in page
    assert "seller" in page
    assert 'alt="True"' in page  # the verified column
    sellers = admin.get(reverse("admin:accounts_user_changelist"), {"roles__role": "seller"})
    assert "沙集卖家" in sellers.content.decode()
    assert "另一个人" not in sellers.content.decode()


def test_an_operator_adds_a_user_with_a_phone(admin):
    response = admin.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "139 1234 5678",
            "email": "",
            "display_name": "站长",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(phone="+8613912345678")
    assert user.username == "+8613912345678"
    assert user.check_password(PASSWORD)
    assert user.has_role(Role.BUYER)


def test_adding_a_user_whose_email_exists_in_another_case_is_refused(admin):
    UserFactory(phone=None, email="li@example.com")
    before = User.objects.count()

    response = admin.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "",
            "email": "LI@example.com",
            "display_name": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    assert User.objects.count() == before


def test_editing_a_user_keeps_the_phone_in_e164(admin, user):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        phone="0812 3456 7890",
        date_joined_0=user.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=user.date_joined.strftime("%H:%M:%S"),
        **{
            f"{prefix}-{key}": value
            for prefix in ("roles", "verifications")
            for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()
        },
    )
    data.pop("date_joined", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("residence", None)

    response = admin.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.phone == "+6281234567890"


# The verification queue ------------------------------------------------------------------


def test_the_queue_opens_on_pending_requests_with_masked_numbers(admin, village, operator):
    waiting, waiting_number = pending(village, 1, "等待者")
    done, _number = pending(village, 2, "已拒绝")
    services.verification_reject(verification=done, operator=operator, reason="blurred")

    page = admin.get(QUEUE).content.decode()

    assert "等待者" in page
    assert "已拒绝" not in page
    assert waiting.number_masked in page
    assert waiting_number not in page
    assert "已拒绝" in admin.get(QUEUE, {"status": "all"}).content.decode()


def test_the_approve_action_verifies_and_makes_sellers(admin, village, operator):
    first, _n1 = pending(village, 1)
    second, _n2 = pending(village, 2)

    response = run_action(admin, "approve", [first, second])

    assert response.status_code == 302
    for verification in (first, second):
        verification.refresh_from_db()
        assert verification.status == VerificationStatus.APPROVED
        assert verification.reviewed_by == operator
        assert verification.user.has_role(Role.SELLER)


def test_approving_a_number_in_use_reports_it_and_changes_nothing(admin, village):
    first, number = pending(village, 1)
    services.verification_approve(verification=first, operator=UserFactory(is_staff=True))
    duplicate = services.verification_submit(
        user=UserFactory(residence=village),
        legal_name="冒名者",
        document_type=IdDocument.CN_RESIDENT_ID,
        number=cn_resident_id(2),
    )
    # Make it collide as if submitted before the first approval.
    duplicate.number_digest = first.number_digest
    duplicate.save()

    response = run_action(admin, "approve", [duplicate])

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already verifies another account" in m for m in messages)
    duplicate.refresh_from_db()
    assert duplicate.status == VerificationStatus.PENDING
    assert number not in " ".join(messages)


def test_the_reject_action_asks_for_a_reason_first(admin, village, operator):
    verification, number = pending(village, 1)

    asked = run_action(admin, "reject", [verification])

    assert asked.status_code == 200
    page = asked.content.decode()
    assert verification.number_masked in page and number not in page
    verification.refresh_from_db()
    assert verification.status == VerificationStatus.PENDING

    blank = run_action(admin, "reject", [verification], apply="1", reason="  ")
    assert blank.status_code == 200
    verification.refresh_from_db()
    assert verification.status == VerificationStatus.PENDING

    done = run_action(admin, "reject", [verification], apply="1", reason="照片看不清")
    assert done.status_code == 302
    verification.refresh_from_db()
    assert verification.status == VerificationStatus.REJECTED
    assert verification.decision_reason == "照片看不清"
    assert verification.reviewed_by == operator
    assert not verification.user.has_role(Role.SELLER)


def test_admin_pages_never_show_the_full_number(admin, village):
    verification, number = pending(village, 1)
    pages = [
        reverse("admin:accounts_identityverification_change", args=[verification.pk]),
        reverse("admin:accounts_user_change", args=[verification.user_id]),
        QUEUE + "?status=all",
    ]

    for url in pages:
        page = admin.get(url).content.decode()
        assert verification.number_masked in page, url
        assert number not in page, url
        assert 'name="number_masked"' not in page, url  # read-only, never an input


def test_the_token_admin_shows_the_digest_but_cannot_create_tokens(admin, user):
    token, raw = services.api_token_create(user=user, name="script")

    page = admin.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()

    assert token.digest in page
    assert raw not in page
    assert admin.get(reverse("admin:accounts_apitoken_add")).status_code == 403


def test_an_operator_role_opens_the_admin_with_moderation_rights_but_no_deleting(client):
    from evillage.accounts import services as account_services

    user = UserFactory()
    account_services.role_grant(user=user, role=Role.OPERATOR)
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("accounts.change_identityverification")
    assert user.has_perm("catalog.change_product")
    assert not user.has_perm("catalog.delete_product")
    client.force_login(user)
    assert client.get("/admin/accounts/identityverification/").status_code == 200

    account_services.role_revoke(user=user, role=Role.OPERATOR)
    user = type(user).objects.get(pk=user.pk)
    assert not user.is_staff and not user.has_perm("catalog.change_product")
