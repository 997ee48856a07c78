import pytest

from evillage.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_others_see_the_display_name_when_there_is_one():
    user = UserFactory(display_name="王小明", phone="+8613800000002")

    assert user.public_name == "王小明"


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("+8613800000002", "+86138****0002"),
        ("+6281234567890", "+62812****7890"),
        ("+62215551234", "+622****1234"),
    ],
)
def test_without_a_display_name_others_see_a_masked_phone(phone, shown):
    user = UserFactory(display_name="", phone=phone)

    assert user.public_name == shown
    assert str(user) == phone  # the admin and the user's own pages keep the full number


def test_without_a_display_name_or_phone_others_see_a_masked_email():
    user = UserFactory(display_name="", phone=None, email="siti.aminah@example.co.id")

    assert user.public_name == "s***@example.co.id"


def test_a_staff_account_without_phone_or_email_does_not_show_its_username():
    user = UserFactory(display_name="", phone=None, username="root-operator", is_staff=True)

    assert user.public_name == "eVillage user"
