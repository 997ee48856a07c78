import factory
from django.utils import timezone

from evillage.accounts.models import (
    IdDocument,
    IdentityVerification,
    Role,
    User,
    UserRole,
    VerificationStatus,
)

PASSWORD = "village-pass-2026"


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
                number_masked="3203**********001X",
                number_digest=f"{self.pk:064d}",
                status=VerificationStatus.APPROVED,
                reviewed_at=timezone.now(),
            )
