"""Operators read payments, webhook deliveries and payouts; money moves only through services.

The one write is an action on payouts: ask the provider how stuck pending ones ended.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from evillage.core.admin_mixins import ReadOnlyMixin
from evillage.payments.models import Payment, PaymentEvent, Payout, PayoutState, WebhookDelivery
from evillage.payments.services import payout_resume


class PaymentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = PaymentEvent
    fields = ["at", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields
    extra = 0


class WebhookDeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = WebhookDelivery
    fields = ["received_at", "provider", "event_id", "outcome", "detail"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "created_at",
        "payer",
        "purpose",
        "method",
        "provider",
        "amount",
        "currency",
        "state",
        "refunded",
    ]
    list_filter = ["state", "purpose", "method", "provider", "currency"]
    search_fields = ["public_id", "reference", "provider_ref", "payer__phone", "payer__email"]
    list_select_related = ["payer"]
    date_hierarchy = "created_at"
    inlines = [PaymentEventInline, WebhookDeliveryInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "provider", "event_id", "outcome", "payment", "remote_addr"]
    list_filter = ["outcome", "provider"]
    search_fields = ["event_id", "payment__public_id"]
    list_select_related = ["payment"]
    date_hierarchy = "received_at"


@admin.register(Payout)
class PayoutAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "created_at",
        "owner",
        "amount",
        "currency",
        "bank_name",
        "bank_account_number",
        "state",
        "settled_at",
    ]
    list_filter = ["state", "currency", "provider"]
    search_fields = ["public_id", "provider_ref", "owner__phone", "owner__email"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    actions = ["resume_pending"]

    @admin.action(description=_("Ask the provider how the selected pending payouts ended"))
    def resume_pending(self, request, queryset):
        finished = 0
        for payout in queryset.filter(state=PayoutState.PENDING):
            if payout_resume(payout=payout).state != PayoutState.PENDING:
                finished += 1
        self.message_user(
            request,
            ngettext("%(count)d payout finished.", "%(count)d payouts finished.", finished)
            % {"count": finished},
            messages.SUCCESS,
        )
