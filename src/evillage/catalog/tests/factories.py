import factory

from evillage.catalog.models import Category, Product, ProductStatus, Sku


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-category-{n}")
    name_en = factory.Sequence(lambda n: f"Furniture {n}")
    name_zh_hans = factory.Sequence(lambda n: f"家具{n}")
    name_id = factory.Sequence(lambda n: f"Mebel {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    """An active product with one SKU (price 199.00, 10 in stock) unless told otherwise."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    shop = factory.SubFactory("evillage.shops.tests.factories.ShopFactory")
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"实木餐桌 {n}")
    description = "北欧风格，橡木"
    status = ProductStatus.ACTIVE
    currency = factory.LazyAttribute(lambda o: o.shop.currency)

    @factory.post_generation
    def skus(self, create, extracted, **kwargs):
        if not create:
            return
        for position, (label, price, available) in enumerate(extracted or [("标准", 19900, 10)]):
            Sku.objects.create(
                product=self, label=label, price=price, available=available, position=position
            )
        prices = list(self.skus.values_list("price", flat=True))
        self.price_min, self.price_max = min(prices), max(prices)
        self.save(update_fields=["price_min", "price_max"])
