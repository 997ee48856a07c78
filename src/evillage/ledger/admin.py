"""Read-only views of the books: money moves only through ledger.services."""

from django.contrib import admin

from evillage.ledger.models import Account, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "kind", "owner", "currency", "shard", "balance", "created_at"]
    list_filter = ["kind", "currency"]
    search_fields = ["public_id", "owner__phone", "owner__email"]
    list_select_related = ["owner"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "public_id",
        "created_at",
        "kind",
        "debit",
        "credit",
        "amount",
        "currency",
        "reference",
    ]
    list_filter = ["kind", "currency"]
    search_fields = ["public_id", "reference"]
    list_select_related = ["debit", "credit"]
    date_hierarchy = "created_at"
