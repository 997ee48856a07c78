import pytest
from django.urls import reverse
from django.utils.crypto import salted_hmac

from evillage.accounts import services
from evillage.accounts.models import IdDocument, IdentityVerification, Role, VerificationStatus
from evillage.accounts.selectors import user_is_verified
from evillage.accounts.tests.factories import UserFactory, cn_resident_id, indonesian_nik
from evillage.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

CN = IdDocument.CN_RESIDENT_ID
NIK = IdDocument.ID_NIK
PAGE = reverse("accounts:verification")


def submit(user, number=None, document_type=CN, legal_name="王小明"):
    return services.verification_submit(
        user=user,
        legal_name=legal_name,
        document_type=document_type,
        number=number or cn_resident_id(),
    )


def stored_values(verification) -> str:
    return " ".join(str(getattr(verification, f.attname)) for f in verification._meta.fields)


def test_a_valid_chinese_id_is_kept_masked_with_a_keyed_digest(resident):
    number = cn_resident_id(2)  # 110105194912310026 style: area, birth date, serial, check

    verification = submit(resident, number=number)

    verification.refresh_from_db()
    assert verification.status == VerificationStatus.PENDING
    # The check digit is hidden too: with it, guessing the rest from the digest is cheaper.
    assert verification.number_masked == number[:4] + "*" * 11 + number[-3:-1] + "*"
    assert len(verification.number_digest) == 64
    assert number not in stored_values(verification)
    assert number[4:-4] not in stored_values(verification)


def test_the_digest_key_is_its_own_setting_not_the_secret_key(settings):
    number = cn_resident_id(2)
    settings.ID_NUMBER_DIGEST_KEY = "digest-key-one"
    first = services.id_number_digest(document_type=CN, number=number)

    settings.SECRET_KEY = "a-rotated-secret-key-" * 3
    assert services.id_number_digest(document_type=CN, number=number) == first
    settings.ID_NUMBER_DIGEST_KEY = "digest-key-two"
    assert services.id_number_digest(document_type=CN, number=number) != first


def test_without_its_own_key_the_digest_is_the_one_stored_before_the_setting(settings):
    """Deployments that have not set ID_NUMBER_DIGEST_KEY keep matching their stored digests."""
    settings.ID_NUMBER_DIGEST_KEY = ""
    number = cn_resident_id(2)
    stored_before = salted_hmac(
        "evillage.accounts.id_number", f"{CN}:{number}", algorithm="sha256"
    ).hexdigest()

    assert services.id_number_digest(document_type=CN, number=number) == stored_before


def test_an_id_number_verifies_one_account_under_the_dedicated_key(
    settings, resident, operator, village
):
    settings.ID_NUMBER_DIGEST_KEY = "digest-key-one"
    number = cn_resident_id(5)
    services.verification_approve(
        verification=submit(UserFactory(residence=village), number=number), operator=operator
    )

    with pytest.raises(Conflict) as exc:
        submit(resident, number=number)

    assert exc.value.code == "id_number_in_use"
    assert not resident.verifications.exists()


def test_a_chinese_id_is_accepted_with_spaces_and_a_lower_case_x(resident):
    number = next(cn_resident_id(n) for n in range(1, 50) if cn_resident_id(n).endswith("X"))
    typed = f"{number[:6]} {number[6:14]} {number[14:].lower()}"

    verification = submit(resident, number=typed)

    assert verification.number_masked == number[:4] + "*" * 11 + number[-3:-1] + "*"


def test_a_valid_nik_is_accepted(resident):
    nik = indonesian_nik(7)

    verification = submit(resident, number=nik, document_type=NIK, legal_name="Siti Aminah")

    assert verification.number_masked == "3171*********00*"
    assert nik not in stored_values(verification)


def test_an_id_issued_by_a_county_younger_than_its_holder_is_accepted(resident):
    """沭阳县 got its code 321322 in 1996; people born there in 1970 carry it."""
    verification = submit(resident, number=cn_resident_id(area="321322", birth="19700315"))

    assert verification.status == VerificationStatus.PENDING


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        (CN, cn_resident_id()[:-1] + ("0" if cn_resident_id()[-1] != "0" else "1")),  # check digit
        (CN, "110105194913310019"),  # month 13
        (CN, "11010519491231001"),  # 17 characters
        (CN, indonesian_nik()),  # a NIK is not a resident ID
        (CN, cn_resident_id(area="990101")),  # no such region
        (CN, cn_resident_id(birth="20990101")),  # born in the future
        (NIK, "3171013208450001"),  # day 32
        (NIK, "9971011708450001"),  # no province 99
        (NIK, "317101170845001"),  # 15 digits
        (NIK, cn_resident_id()),
    ],
)
def test_invalid_numbers_are_refused_and_nothing_is_stored(resident, document_type, number):
    with pytest.raises(ValidationFailed) as exc:
        submit(resident, number=number, document_type=document_type)

    assert exc.value.code == "bad_id_number"
    assert exc.value.field == "number"
    assert not IdentityVerification.objects.exists()


def test_a_residence_village_is_required_first(user):
    with pytest.raises(ValidationFailed) as exc:
        submit(user)

    assert exc.value.code == "residence_required"
    assert not IdentityVerification.objects.exists()


def test_a_second_request_while_one_is_pending_is_refused(resident):
    submit(resident, number=cn_resident_id(1))

    with pytest.raises(Conflict) as exc:
        submit(resident, number=cn_resident_id(2))

    assert exc.value.code == "already_pending"
    assert IdentityVerification.objects.count() == 1


def test_approval_makes_the_user_a_verified_seller(resident, operator):
    verification = submit(resident)

    approved = services.verification_approve(verification=verification, operator=operator)

    assert approved.status == VerificationStatus.APPROVED
    assert approved.reviewed_by == operator
    assert approved.reviewed_at is not None
    assert resident.has_role(Role.SELLER)
    assert user_is_verified(user=resident)
    with pytest.raises(Conflict) as exc:
        submit(resident, number=cn_resident_id(9))
    assert exc.value.code == "already_verified"


def test_a_number_approved_for_one_account_cannot_verify_another(resident, operator, village):
    number = cn_resident_id(5)
    services.verification_approve(verification=submit(resident, number=number), operator=operator)
    other = UserFactory(residence=village)

    with pytest.raises(Conflict) as exc:
        submit(other, number=f" {number.lower()} ")

    assert exc.value.code == "id_number_in_use"
    assert not other.verifications.exists()


def test_of_two_pending_requests_with_one_number_only_the_first_can_be_approved(
    resident, operator, village
):
    number = cn_resident_id(5)
    first = submit(resident, number=number)
    other = UserFactory(residence=village)
    second = submit(other, number=number)
    services.verification_approve(verification=first, operator=operator)

    with pytest.raises(Conflict) as exc:
        services.verification_approve(verification=second, operator=operator)

    assert exc.value.code == "id_number_in_use"
    second.refresh_from_db()
    assert second.status == VerificationStatus.PENDING
    assert not other.has_role(Role.SELLER)


def test_rejection_needs_a_reason_and_lets_the_user_try_again(resident, operator):
    verification = submit(resident)

    with pytest.raises(ValidationFailed) as exc:
        services.verification_reject(verification=verification, operator=operator, reason=" ")
    assert exc.value.code == "reason_required"
    verification.refresh_from_db()
    assert verification.status == VerificationStatus.PENDING

    rejected = services.verification_reject(
        verification=verification, operator=operator, reason="The photo is blurred."
    )
    assert rejected.status == VerificationStatus.REJECTED
    assert rejected.decision_reason == "The photo is blurred."
    assert not resident.has_role(Role.SELLER)
    assert submit(resident, number=cn_resident_id(3)).status == VerificationStatus.PENDING


def test_only_operators_review_and_never_their_own_request(resident, operator, village):
    verification = submit(resident)

    with pytest.raises(PermissionDenied):
        services.verification_approve(verification=verification, operator=UserFactory())
    own = submit(UserFactory(residence=village, is_staff=True), number=cn_resident_id(8))
    with pytest.raises(PermissionDenied) as exc:
        services.verification_approve(verification=own, operator=own.user)
    assert exc.value.code == "own_verification"
    services.verification_approve(verification=verification, operator=operator)
    with pytest.raises(Conflict) as exc:
        services.verification_reject(verification=verification, operator=operator, reason="x")
    assert exc.value.code == "not_pending"


# The page --------------------------------------------------------------------------------


def test_the_page_submits_a_request_and_shows_only_the_masked_number(client, resident):
    number = cn_resident_id(4)
    client.force_login(resident)

    response = client.post(
        PAGE, {"legal_name": "王小明", "document_type": CN, "number": number}, follow=True
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == PAGE
    assert number[:4] + "***********" + number[-3:-1] + "*" in page
    assert number not in page
    assert "pending" in page
    assert number not in client.get(reverse("accounts:profile")).content.decode()


def test_a_bad_number_on_the_page_is_not_echoed_back(client, resident):
    number = cn_resident_id(4)[:-1] + "7"
    client.force_login(resident)

    response = client.post(PAGE, {"legal_name": "王小明", "document_type": CN, "number": number})

    page = response.content.decode()
    assert response.status_code == 200
    assert "This is not a valid resident identity card number" in page
    assert number not in page
    assert "王小明" in page  # the other fields are kept
    assert not IdentityVerification.objects.exists()


def test_without_a_residence_the_page_explains_what_to_do(client, user):
    client.force_login(user)

    response = client.post(
        PAGE, {"legal_name": "王小明", "document_type": CN, "number": cn_resident_id()}
    )

    assert "Set your village of residence in your profile first." in response.content.decode()
    assert not IdentityVerification.objects.exists()


def test_the_form_is_hidden_while_a_request_is_pending(client, resident):
    submit(resident)
    client.force_login(resident)

    page = client.get(PAGE).content.decode()

    assert 'name="number"' not in page
    assert "pending" in page


def test_a_second_submission_from_a_stale_page_is_refused_with_a_message(client, resident):
    submit(resident, number=cn_resident_id(1))
    client.force_login(resident)

    response = client.post(
        PAGE, {"legal_name": "王小明", "document_type": CN, "number": cn_resident_id(2)}
    )

    assert "Your earlier request is still being reviewed." in response.content.decode()
    assert resident.verifications.count() == 1


# The API ---------------------------------------------------------------------------------


def test_api_submit_and_read_back_show_only_the_masked_number(client, api, resident):
    number = indonesian_nik(3)
    client.force_login(resident)
    assert api.call("get", "/me/verification").json()["code"] == "no_verification"

    created = api.call(
        "post",
        "/me/verification",
        {"legal_name": "Siti", "document_type": NIK, "number": number},
    )
    read = api.call("get", "/me/verification")

    assert created.status_code == 201
    assert read.status_code == 200
    assert created.json()["number_masked"] == "3171*********00*"
    assert read.json()["status"] == "pending"
    for response in (created, read):
        assert number not in response.content.decode()
        assert "number_digest" not in response.json()


@pytest.mark.parametrize(
    ("number", "code", "status"),
    [("3171013208450001", "bad_id_number", 400), (indonesian_nik(9), "id_number_in_use", 409)],
)
def test_api_refusals_are_coded_and_do_not_echo_the_number(
    client, api, resident, operator, village, number, code, status
):
    holder = UserFactory(residence=village)
    services.verification_approve(
        verification=submit(holder, number=indonesian_nik(9), document_type=NIK),
        operator=operator,
    )
    client.force_login(resident)

    response = api.call(
        "post", "/me/verification", {"legal_name": "Siti", "document_type": NIK, "number": number}
    )

    assert response.status_code == status
    assert response.json()["code"] == code
    assert number not in response.content.decode()
    assert not resident.verifications.exists()
