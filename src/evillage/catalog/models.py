from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField


class Category(models.Model):
    """A node of the category tree. Names are data, kept in every UI language."""

    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_en = models.CharField(_("name (English)"), max_length=60)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=60)
    name_id = models.CharField(_("name (Indonesian)"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Commission on enterprise-store sales, in basis points (used from issue 3 on).
    commission_bp = models.PositiveSmallIntegerField(
        _("commission (basis points)"),
        default=0,
        validators=[MaxValueValidator(2000)],
        help_text=_("100 basis points = 1%. Charged on enterprise-store sales."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (translation.get_language() or "en").lower()
        if language.startswith("zh"):
            return self.name_zh_hans
        if language.startswith("id"):
            return self.name_id
        return self.name_en


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("on sale")
    DELISTED = "delisted", _("delisted")
    BANNED = "banned", _("banned")


class Product(models.Model):
    public_id = PublicIdField()
    shop = models.ForeignKey("shops.Shop", on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    status = models.CharField(
        max_length=10, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    currency = models.CharField(max_length=3, editable=False)
    # Denormalised from the SKUs (kept by catalog.services) for listing and sorting.
    price_min = models.BigIntegerField(null=True, blank=True, editable=False)
    price_max = models.BigIntegerField(null=True, blank=True, editable=False)
    sales_count = models.PositiveIntegerField(default=0, editable=False)
    ban_reason = models.CharField(_("reason for the ban"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["status", "category", "price_min"]),
            models.Index(fields=["status", "category", "created_at"]),
            models.Index(fields=["shop", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


class Sku(models.Model):
    """A variant that can be bought: its own options, price and stock."""

    public_id = PublicIdField()
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    # e.g. {"size": "M", "colour": "red"}; the label is what people read.
    options = models.JSONField(default=dict, blank=True)
    label = models.CharField(_("variant"), max_length=80)
    seller_code = models.CharField(_("seller's code"), max_length=40, blank=True)
    price = models.BigIntegerField(_("price (minor units)"))
    available = models.IntegerField(_("stock available"), default=0)
    # Held by orders that have not shipped; moved to `sold` on shipment (orders app).
    reserved = models.IntegerField(default=0, editable=False)
    sold = models.IntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="sku_price_positive"),
            models.CheckConstraint(condition=Q(available__gte=0), name="sku_available_nonneg"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="sku_reserved_nonneg"),
            models.CheckConstraint(condition=Q(sold__gte=0), name="sku_sold_nonneg"),
            models.UniqueConstraint(fields=["product", "label"], name="sku_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product} · {self.label}"


class ProductPhoto(models.Model):
    """A product photo, re-encoded and stripped of metadata, with its thumbnails."""

    public_id = PublicIdField()
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        upload_to="products/%Y/%m/", width_field="width", height_field="height"
    )
    medium = models.ImageField(upload_to="products/%Y/%m/")
    thumb = models.ImageField(upload_to="products/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set when the photo must not be shown to buyers (a supplier's photo used without a
    # licence: evillage.sameitem); the shop still sees it, marked, in the seller centre.
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_reason = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position"])]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"
