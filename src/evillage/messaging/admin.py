"""Operators review reported messages here and read conversations they concern.

Reports are closed with the two actions (dismiss, or remove the message), which go
through messaging.services so that who did it and when is recorded; nothing else is
edited by hand.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from evillage.core.admin_mixins import ReadOnlyMixin
from evillage.core.errors import DomainError
from evillage.messaging import services
from evillage.messaging.models import (
    ChatSettings,
    Conversation,
    Message,
    MessageReport,
    ReportState,
)


class MessageInline(ReadOnlyMixin, admin.TabularInline):
    model = Message
    fields = ("seq", "side", "sender", "kind", "text", "is_auto_reply", "created_at", "removed_at")
    readonly_fields = fields
    extra = 0
    ordering = ("-seq",)
    max_num = 0


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("public_id", "shop", "buyer", "last_message_at", "last_seq")
    search_fields = ("public_id", "shop__name", "buyer__phone", "buyer__email")
    raw_id_fields = ("buyer", "shop")
    inlines = [MessageInline]


def _handle(modeladmin, request, queryset, *, remove: bool) -> None:
    done = 0
    for report in queryset.filter(state=ReportState.OPEN):
        try:
            services.report_handle(operator=request.user, report=report, remove=remove)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, exc.message, messages.WARNING)
    modeladmin.message_user(request, _("%(n)d report(s) closed.") % {"n": done}, messages.SUCCESS)


@admin.action(description=_("Dismiss: the message breaks no rule"))
def dismiss_reports(modeladmin, request, queryset):
    _handle(modeladmin, request, queryset, remove=False)


@admin.action(description=_("Remove the reported message"))
def remove_messages(modeladmin, request, queryset):
    _handle(modeladmin, request, queryset, remove=True)


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "state", "reporter", "reason", "message_text", "handled_by")
    list_filter = ("state",)
    readonly_fields = (
        "message",
        "message_text",
        "reporter",
        "reason",
        "state",
        "handled_by",
        "handled_at",
        "created_at",
        "note",
    )
    actions = [dismiss_reports, remove_messages]

    @admin.display(description=_("message"))
    def message_text(self, obj: MessageReport) -> str:
        return obj.message.text[:200]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChatSettings)
class ChatSettingsAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("shop", "auto_reply", "last_staff_seen_at")
