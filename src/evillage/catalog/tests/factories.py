import factory

from evillage.catalog.models import Category, Product, ProductPhoto, ProductStatus, Sku


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


def image_upload(
    name: str = "photo.jpg", *, size=(640, 480), fmt: str = "JPEG", color="orange", **save_kwargs
):
    """An uploaded image file made in memory by Pillow."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    mode = "RGBA" if fmt in {"PNG", "WEBP"} and save_kwargs.pop("alpha", False) else "RGB"
    Image.new(mode, size, color).save(buffer, fmt, **save_kwargs)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        fmt, "image/gif"
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


class ProductPhotoFactory(factory.django.DjangoModelFactory):
    """A photo row with small stand-in images (not run through the photo pipeline)."""

    class Meta:
        model = ProductPhoto

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(width=800, height=600, color="orange")
    medium = factory.django.ImageField(width=400, height=300, color="orange")
    thumb = factory.django.ImageField(width=300, height=300, color="orange")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    position = factory.Sequence(lambda n: n)
