"""Operators read wholesale terms, price tiers and drop-ship links here; nothing is
edited: the supplier sets terms through sourcing.services (which check the tier rules),
and links change through sourcing.dropship."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from evillage.core.admin_mixins import ReadOnlyMixin
from evillage.core.money import format_money
from evillage.sourcing.models import DropshipLink, DropshipOrder, PriceTier, WholesaleTerms


@admin.register(WholesaleTerms)
class WholesaleTermsAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "product",
        "shop",
        "min_quantity",
        "tiers_shown",
        "sample_shown",
        "lead_time_days",
        "dropship",
        "updated_at",
    ]
    list_filter = ["dropship"]
    search_fields = ["product__title", "product__public_id", "product__shop__name"]
    list_select_related = ["product__shop"]
    fields = [
        "product",
        "min_quantity",
        "tiers_shown",
        "sample_shown",
        "sample_max_quantity",
        "lead_time_days",
        "dropship",
        "updated_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("product__price_tiers")

    @admin.display(description=_("shop"))
    def shop(self, obj: WholesaleTerms):
        return obj.product.shop

    @admin.display(description=_("price tiers"))
    def tiers_shown(self, obj: WholesaleTerms) -> str:
        currency = obj.product.currency
        return " · ".join(
            f"≥{tier.min_quantity}: {format_money(tier.unit_price, currency)}"
            for tier in sorted(obj.product.price_tiers.all(), key=lambda t: t.min_quantity)
        )

    @admin.display(description=_("sample price"))
    def sample_shown(self, obj: WholesaleTerms) -> str:
        if obj.sample_price is None:
            return "—"
        return format_money(obj.sample_price, obj.product.currency)


@admin.register(PriceTier)
class PriceTierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["product", "min_quantity", "price_shown"]
    search_fields = ["product__title", "product__public_id"]
    list_select_related = ["product"]
    fields = ["product", "min_quantity", "price_shown"]
    readonly_fields = fields

    @admin.display(description=_("unit price"))
    def price_shown(self, obj: PriceTier) -> str:
        return format_money(obj.unit_price, obj.product.currency)


@admin.register(DropshipLink)
class DropshipLinkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["retail_sku", "supplier_sku", "created_at"]
    search_fields = ["retail_sku__public_id", "supplier_sku__public_id"]
    list_select_related = ["retail_sku__product", "supplier_sku__product"]


@admin.register(DropshipOrder)
class DropshipOrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["retail_order", "purchase_order", "created_at", "paid_at"]
    search_fields = ["retail_order__public_id", "purchase_order__public_id"]
    list_select_related = ["retail_order", "purchase_order"]
