from django.contrib import admin

from evillage.core.models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Read-only: operators look up what a client's retry was answered, never edit it."""

    list_display = ["key", "user", "scope", "state", "response_status", "created_at"]
    list_filter = ["state"]
    search_fields = ["key", "user__username", "scope"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
