import factory
from django.utils import timezone
from stdnum.cn import ric

from evillage.accounts.models import (
    IdDocument,
    IdentityVerification,
    Role,
    User,
    UserRole,
    VerificationStatus,
)

PASSWORD = "village-pass-2026"


def cn_resident_id(serial: int = 1, *, area: str = "110105", birth: str = "19491231") -> str:
    """A valid Chinese resident ID number: a real area code, a birth date, a correct check digit."""
    body = f"{area}{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def indonesian_nik(serial: int = 1, *, region: str = "317101", birth: str = "170845") -> str:
    """A valid NIK: region code (Jakarta), birth date DDMMYY, then a serial."""
    return f"{region}{birth}{serial:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    username = factory.LazyAttribute(lambda o: o.phone or o.email)
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_roles(self, create, extracted, **kwargs):
        """UserFactory(with_roles=[Role.OPERATOR]); every user is a buyer."""
        for role in (Role.BUYER, *(extracted or ())):
            UserRole.objects.get_or_create(user=self, role=role)
        if create:
            self.save()


class VerifiedSellerFactory(UserFactory):
    """A seller whose identity an operator has approved, living in a village."""

    residence = factory.SubFactory("evillage.places.tests.factories.PlaceFactory")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            UserRole.objects.get_or_create(user=self, role=Role.SELLER)
            IdentityVerification.objects.create(
                user=self,
                legal_name=f"卖家{self.pk}",
                document_type=IdDocument.CN_RESIDENT_ID,
                number_masked="3203***********01*",
                number_digest=f"{self.pk:064d}",
                status=VerificationStatus.APPROVED,
                reviewed_at=timezone.now(),
            )


class OperatorFactory(UserFactory):
    """Platform staff who review verifications in the admin."""

    is_staff = True
    is_superuser = True

    @factory.post_generation
    def operator_role(self, create, extracted, **kwargs):
        if create:
            UserRole.objects.get_or_create(user=self, role=Role.OPERATOR)
