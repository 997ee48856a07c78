"""Operators read claims, cases and their events here. Nothing is edited: a case moves
only through evillage.sameitem.services (which hide and show the photo and write the
event in the same transaction). Appeals are decided with the two actions below, which
call the same service as the desk (/desk/photo-rights/)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from evillage.core.admin_mixins import ReadOnlyMixin
from evillage.core.errors import DomainError
from evillage.sameitem.models import PhotoClaim, PhotoRightsCase, PhotoRightsEvent
from evillage.sameitem.services import case_decide


class PhotoRightsEventInline(ReadOnlyMixin, admin.TabularInline):
    model = PhotoRightsEvent
    fields = ["at", "actor", "action", "from_state", "to_state", "reason"]
    readonly_fields = fields
    extra = 0


def _decide(modeladmin, request, queryset, decision: str) -> None:
    done = 0
    for case in queryset.select_related("shop", "supplier"):
        try:
            case_decide(case=case, actor=request.user, decision=decision)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{case.public_id}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d case(s) decided.") % {"n": done})


@admin.action(description=_("Grant the appeal (show the photo again)"))
def grant_appeal(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, "grant")


@admin.action(description=_("Refuse the appeal (the photo stays hidden)"))
def uphold_appeal(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, "uphold")


@admin.register(PhotoRightsCase)
class PhotoRightsCaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "created_at",
        "shop",
        "supplier",
        "state",
        "deadline",
        "appeal_state",
    ]
    list_filter = ["state", "appeal_state"]
    search_fields = ["public_id", "shop__name", "supplier__name"]
    list_select_related = ["shop", "supplier"]
    date_hierarchy = "created_at"
    fields = [
        "public_id",
        "shop",
        "supplier",
        "claim",
        "photo",
        "state",
        "deadline",
        "created_at",
        "updated_at",
        "appeal_state",
        "appeal_text",
        "appealed_at",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = fields
    inlines = [PhotoRightsEventInline]
    actions = [grant_appeal, uphold_appeal]


@admin.register(PhotoClaim)
class PhotoClaimAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["public_id", "supplier", "photo", "registered_at"]
    search_fields = ["public_id", "supplier__name"]
    list_select_related = ["supplier", "photo__product"]
    fields = ["public_id", "supplier", "photo", "registered_at"]
    readonly_fields = fields


@admin.register(PhotoRightsEvent)
class PhotoRightsEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "case", "actor", "action", "from_state", "to_state"]
    list_filter = ["action", "to_state"]
    list_select_related = ["case", "actor"]
    fields = ["case", "at", "actor", "action", "from_state", "to_state", "reason"]
    readonly_fields = fields
