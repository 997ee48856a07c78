import factory

from evillage.shops.models import Shop, ShopKind, ShopStaff, StaffRole


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"沙集家具{n}号店")
    kind = ShopKind.INDIVIDUAL
    description = "实木家具，厂家直销"
    owner = factory.SubFactory("evillage.accounts.tests.factories.VerifiedSellerFactory")
    village = factory.LazyAttribute(lambda o: o.owner.residence)
    currency = "CNY"

    @factory.post_generation
    def owner_staff(self, create, extracted, **kwargs):
        if create:
            ShopStaff.objects.get_or_create(
                shop=self, user=self.owner, defaults={"role": StaffRole.OWNER}
            )
