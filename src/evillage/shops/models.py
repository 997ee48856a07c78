from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from evillage.core.fields import PublicIdField


class ShopKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual shop (C2C)")
    ENTERPRISE = "enterprise", _("enterprise store (B2C)")
    SUPPLIER = "supplier", _("supplier (B2B)")


class ShopStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed by owner")
    SUSPENDED = "suspended", _("suspended by operator")


class Shop(models.Model):
    public_id = PublicIdField()
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=ShopKind.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    logo = models.ImageField(_("logo"), upload_to="shops/logos/", blank=True)
    village = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="shops", verbose_name=_("village")
    )
    currency = models.CharField(max_length=3, default="CNY", editable=False)
    status = models.CharField(max_length=10, choices=ShopStatus.choices, default=ShopStatus.OPEN)
    # Flat shipping fee per order, minor units (fee templates come with logistics).
    shipping_fee = models.BigIntegerField(_("shipping fee per order"), default=0)
    is_featured = models.BooleanField(_("featured on the home page"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_shops"
    )

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="shop_name_unique_ci"),
            models.CheckConstraint(
                condition=Q(currency__in=["CNY", "IDR"]), name="shop_currency_known"
            ),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="shop_fee_nonneg"),
        ]
        indexes = [models.Index(fields=["village", "status"])]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    OWNER = "owner", _("owner")
    CUSTOMER_SERVICE = "customer_service", _("customer service")


class ShopStaff(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_memberships"
    )
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shop staff member")
        verbose_name_plural = _("shop staff")
        constraints = [
            models.UniqueConstraint(fields=["shop", "user"], name="shop_staff_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.shop} ({self.get_role_display()})"
