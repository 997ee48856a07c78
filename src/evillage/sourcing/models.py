"""Wholesale (B2B) sourcing: a supplier's offer terms and price tiers, and the links a
retail seller makes from a listing to a supplier's variant for drop-shipping.

A wholesale offer is a catalog Product of a supplier shop (its variants, stock and
photos are the catalog's); `WholesaleTerms` and `PriceTier` add what 1688-style buying
needs. A drop-shipped sale is two orders: the buyer's retail order at the seller's shop,
and a purchase order (`DropshipOrder.purchase_order`) at the supplier's shop, shipped by
the supplier straight to the buyer.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WholesaleTerms(models.Model):
    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, related_name="wholesale"
    )
    # Below this many units of the offer (all its variants together) only a sample may be
    # bought.
    min_quantity = models.PositiveIntegerField(_("minimum order quantity"), default=1)
    # A sample: at most this many units below the minimum, at the sample price (minor
    # units per unit); null = no samples.
    sample_price = models.BigIntegerField(_("sample price (minor units)"), null=True, blank=True)
    sample_max_quantity = models.PositiveIntegerField(_("most units as a sample"), default=1)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=2)
    dropship = models.BooleanField(_("ships to the seller's buyers (drop-shipping)"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wholesale terms")
        verbose_name_plural = _("wholesale terms")
        constraints = [
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="wholesale_moq_positive"),
            models.CheckConstraint(
                condition=Q(sample_price__isnull=True) | Q(sample_price__gt=0),
                name="wholesale_sample_price_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} (MOQ {self.min_quantity})"


class PriceTier(models.Model):
    """From `min_quantity` units of the offer (all variants together) each unit costs
    `unit_price`. The tier with the largest min_quantity not above the quantity applies."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="price_tiers"
    )
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    unit_price = models.BigIntegerField(_("unit price (minor units)"))

    class Meta:
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        ordering = ["product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["product", "min_quantity"], name="tier_unique_start"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="tier_price_positive"),
            models.CheckConstraint(condition=Q(min_quantity__gte=1), name="tier_min_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} ≥{self.min_quantity}: {self.unit_price}"


class DropshipLink(models.Model):
    """A retail variant sold by a seller and shipped by a supplier from its variant."""

    retail_sku = models.OneToOneField(
        "catalog.Sku", on_delete=models.CASCADE, related_name="dropship_link"
    )
    supplier_sku = models.ForeignKey(
        "catalog.Sku", on_delete=models.PROTECT, related_name="dropship_links"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("drop-ship link")
        verbose_name_plural = _("drop-ship links")

    def __str__(self) -> str:
        return f"{self.retail_sku} ← {self.supplier_sku}"


class DropshipOrder(models.Model):
    """The purchase order placed at the supplier for a retail order's linked lines."""

    retail_order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="dropship"
    )
    purchase_order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="dropship_of"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the seller paid the supplier (on the retail order's completion).
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("drop-shipped order")
        verbose_name_plural = _("drop-shipped orders")

    def __str__(self) -> str:
        return f"{self.retail_order_id} → {self.purchase_order_id}"
