"""Operators read reviews, their events and the shops' credit here. Nothing is edited:
the only change is hiding a review that breaks the rules (with a reason) or showing it
again, through reviews.services, which records the event and updates the credit."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from evillage.core.admin_mixins import ReadOnlyMixin
from evillage.core.errors import DomainError
from evillage.reviews import services
from evillage.reviews.models import Review, ReviewEvent, ReviewPhoto, ShopCredit


class ReviewPhotoInline(ReadOnlyMixin, admin.TabularInline):
    model = ReviewPhoto
    fields = ["preview", "followup", "position", "width", "height"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("photo"))
    def preview(self, obj: ReviewPhoto):
        if not obj.thumb:
            return "—"
        return format_html(
            '<a href="{}"><img src="{}" width="80" height="80" alt=""></a>',
            obj.image_url,
            obj.thumb_url,
        )


class ReviewEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ReviewEvent
    fields = ["at", "actor", "action", "reason"]
    readonly_fields = fields
    extra = 0


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (needed to hide)"), required=False, max_length=500)


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "public_id",
        "created_at",
        "shop",
        "product",
        "buyer",
        "rating",
        "points",
        "is_hidden",
    ]
    list_filter = ["rating", "is_hidden", "counted"]
    search_fields = ["public_id", "shop__name", "product__title", "text", "buyer__display_name"]
    list_select_related = ["shop", "product", "buyer"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "order",
        "order_line",
        "buyer",
        "shop",
        "product",
        "ordered_at",
        "rating",
        "item_as_described",
        "service",
        "shipping_speed",
        "text",
        "anonymous",
        "created_at",
        "followup_text",
        "followup_at",
        "reply_text",
        "reply_at",
        "reply_by",
        "followup_reply_text",
        "followup_reply_at",
        "followup_reply_by",
        "is_hidden",
        "hidden_reason",
        "points",
        "counted",
    ]
    fields = readonly_fields
    inlines = [ReviewPhotoInline, ReviewEventInline]
    action_form = ReasonActionForm
    actions = ["hide", "unhide"]

    def _run(self, request, queryset, run, done) -> None:
        reason = request.POST.get("reason", "")
        count = 0
        for review in queryset:
            try:
                run(review=review, actor=request.user, reason=reason)
            except DomainError as exc:
                self.message_user(request, f"{review.public_id}: {exc.message}", messages.ERROR)
                continue
            count += 1
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Hide (write the reason in the box)"))
    def hide(self, request, queryset):
        self._run(request, queryset, services.review_hide, _("%(n)d review(s) hidden."))

    @admin.action(description=_("Show again"))
    def unhide(self, request, queryset):
        self._run(request, queryset, services.review_unhide, _("%(n)d review(s) shown again."))


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "review", "action", "actor", "reason"]
    list_filter = ["action"]
    list_select_related = ["review", "actor"]
    search_fields = ["review__public_id", "reason"]
    date_hierarchy = "at"


@admin.register(ShopCredit)
class ShopCreditAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["shop", "score", "level_shown", "goods", "neutrals", "bads", "updated_at"]
    list_select_related = ["shop"]
    search_fields = ["shop__name", "shop__public_id"]
    ordering = ["-score"]

    @admin.display(description=_("level"))
    def level_shown(self, obj: ShopCredit) -> str:
        level = obj.level
        return level.label if level else "—"
