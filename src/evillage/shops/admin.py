from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from evillage.core.errors import DomainError
from evillage.shops import services
from evillage.shops.models import Shop, ShopStaff


class ShopStaffInline(admin.TabularInline):
    """Read-only: staff changes are the owner's (shops.services.staff_add/staff_remove)."""

    model = ShopStaff
    extra = 0
    fields = ["user", "role", "added_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "village", "owner", "status", "is_featured", "created_at"]
    list_filter = ["kind", "status", "is_featured"]
    search_fields = ["name", "owner__phone", "owner__email", "public_id"]
    list_select_related = ["village", "owner"]
    # Owner, kind, village and currency are fixed at opening; status and featuring change
    # through the actions (services); a logo goes through the photo pipeline, which
    # only the seller centre and the API run; the shipping fee is the seller's to set.
    readonly_fields = [
        "public_id",
        "owner",
        "kind",
        "village",
        "currency",
        "status",
        "is_featured",
        "logo",
        "shipping_fee",
        "created_at",
    ]
    inlines = [ShopStaffInline]
    actions = ["feature", "unfeature", "suspend", "reinstate"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        # Shops close or are suspended, never deleted; this also removes the bulk
        # "delete selected" action.
        return False

    def _apply(self, request, queryset, change, done_message, **kwargs) -> None:
        count = 0
        for shop in queryset:
            try:
                change(shop=shop, actor=request.user, **kwargs)
            except DomainError as exc:
                self.message_user(request, f"{shop}: {exc.message}", messages.ERROR)
            else:
                count += 1
        self.message_user(request, done_message % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Feature on the home page"))
    def feature(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.shop_set_featured,
            _("%(n)d shop(s) featured."),
            featured=True,
        )

    @admin.action(description=_("Stop featuring"))
    def unfeature(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.shop_set_featured,
            _("%(n)d shop(s) no longer featured."),
            featured=False,
        )

    @admin.action(description=_("Suspend (hide the shop and its products)"))
    def suspend(self, request, queryset):
        self._apply(request, queryset, services.shop_suspend, _("%(n)d shop(s) suspended."))

    @admin.action(description=_("Reinstate suspended shops"))
    def reinstate(self, request, queryset):
        self._apply(request, queryset, services.shop_reinstate, _("%(n)d shop(s) reinstated."))
