"""Operators read carts, checkouts, orders and refunds here; nothing is edited.

Money and states change only through orders.services (pages, API, sweeper), which keep
the ledger, the stock and the event history in step: so every admin here is read-only.
Disputes are decided on the dispute desk (/desk/disputes/).
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from evillage.core.admin_mixins import ReadOnlyMixin
from evillage.core.money import format_money
from evillage.orders.models import (
    Cart,
    CartLine,
    Checkout,
    Evidence,
    Order,
    OrderEvent,
    OrderLine,
    Refund,
)


def _money(amount: int, currency: str) -> str:
    return format_money(amount, currency)


class OrderLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderLine
    fields = ["title", "label", "sku", "unit_price_shown", "quantity", "commission_bp"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("unit price"))
    def unit_price_shown(self, obj: OrderLine) -> str:
        return _money(obj.unit_price, obj.order.currency)


class OrderEventInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderEvent
    fields = ["at", "actor", "refund", "from_state", "to_state", "reason"]
    readonly_fields = fields
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["public_id", "created_at", "buyer", "shop", "state", "total_shown"]
    list_filter = ["state", "shop_kind", "currency"]
    search_fields = ["public_id", "checkout__public_id", "waybill"]
    list_select_related = ["buyer", "shop"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderEventInline]
    fields = [
        "public_id",
        "checkout",
        "buyer",
        "shop",
        "shop_kind",
        "state",
        "currency",
        "items_total_shown",
        "shipping_fee_shown",
        "total_shown",
        "refunded_shown",
        "seller_amount_shown",
        "commission_shown",
        "payment",
        "ship_to_place",
        "ship_to_street",
        "ship_to_name",
        "ship_to_phone",
        "buyer_note",
        "carrier",
        "waybill",
        "pay_deadline",
        "auto_confirm_at",
        "confirm_extended_days",
        "created_at",
        "paid_at",
        "shipped_at",
        "finished_at",
        "closed_at",
        "close_reason",
    ]
    readonly_fields = fields

    @admin.display(description=_("total"), ordering="total")
    def total_shown(self, obj: Order) -> str:
        return _money(obj.total, obj.currency)

    @admin.display(description=_("items"))
    def items_total_shown(self, obj: Order) -> str:
        return _money(obj.items_total, obj.currency)

    @admin.display(description=_("shipping"))
    def shipping_fee_shown(self, obj: Order) -> str:
        return _money(obj.shipping_fee, obj.currency)

    @admin.display(description=_("refunded"))
    def refunded_shown(self, obj: Order) -> str:
        return _money(obj.refunded, obj.currency)

    @admin.display(description=_("paid to the seller"))
    def seller_amount_shown(self, obj: Order) -> str:
        return _money(obj.seller_amount, obj.currency)

    @admin.display(description=_("commission"))
    def commission_shown(self, obj: Order) -> str:
        return _money(obj.commission, obj.currency)


class EvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = Evidence
    fields = ["created_at", "author", "text", "photo_link"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("photo"))
    def photo_link(self, obj: Evidence):
        if not obj.photo:
            return "—"
        return format_html(
            '<a href="{}"><img src="{}" width="100" alt=""></a>', obj.photo.url, obj.photo.url
        )


@admin.register(Refund)
class RefundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["public_id", "created_at", "order", "kind", "state", "amount_shown"]
    list_filter = ["state", "kind"]
    search_fields = ["public_id", "order__public_id"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    inlines = [EvidenceInline]
    fields = [
        "public_id",
        "order",
        "kind",
        "state",
        "amount_shown",
        "amount_refunded_shown",
        "reason",
        "seller_answer",
        "return_carrier",
        "return_waybill",
        "decision",
        "decided_by",
        "deadline",
        "created_at",
        "closed_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("amount asked"), ordering="amount")
    def amount_shown(self, obj: Refund) -> str:
        return _money(obj.amount, obj.order.currency)

    @admin.display(description=_("refunded"))
    def amount_refunded_shown(self, obj: Refund) -> str:
        return _money(obj.amount_refunded, obj.order.currency)


class OrderOfCheckoutInline(ReadOnlyMixin, admin.TabularInline):
    model = Order
    fields = ["public_id", "shop", "state", "total_shown"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    @admin.display(description=_("total"))
    def total_shown(self, obj: Order) -> str:
        return _money(obj.total, obj.currency)


@admin.register(Checkout)
class CheckoutAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["public_id", "created_at", "buyer", "total_shown"]
    search_fields = ["public_id"]
    list_select_related = ["buyer"]
    date_hierarchy = "created_at"
    fields = ["public_id", "buyer", "currency", "total_shown", "created_at"]
    readonly_fields = fields
    inlines = [OrderOfCheckoutInline]

    @admin.display(description=_("total"), ordering="total")
    def total_shown(self, obj: Checkout) -> str:
        return _money(obj.total, obj.currency)


class CartLineInline(ReadOnlyMixin, admin.TabularInline):
    model = CartLine
    fields = ["sku", "quantity", "added_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Cart)
class CartAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["owner", "updated_at"]
    search_fields = ["owner__phone", "owner__email"]
    list_select_related = ["owner"]
    fields = ["owner", "updated_at"]
    readonly_fields = fields
    inlines = [CartLineInline]
