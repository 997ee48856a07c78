from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from evillage.catalog import services
from evillage.catalog.models import Category, Product, ProductPhoto, Sku
from evillage.core.errors import DomainError
from evillage.core.money import format_money


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["tree_name", "slug", "name_zh_hans", "name_id", "position", "commission_bp"]
    list_editable = ["position", "commission_bp"]
    search_fields = ["slug", "name_en", "name_zh_hans", "name_id"]
    fields = ["slug", "parent", "name_en", "name_zh_hans", "name_id", "position", "commission_bp"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def get_ordering(self, request):
        # Each top category followed by its subcategories.
        is_child = Case(
            When(parent=None, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [
            Coalesce(F("parent__position"), F("position")).asc(),
            Coalesce(F("parent__slug"), F("slug")).asc(),
            is_child.asc(),
            "position",
            "slug",
        ]

    @admin.display(description=_("name (English)"))
    def tree_name(self, obj: Category) -> str:
        return f"— {obj.name_en}" if obj.parent_id else obj.name_en


class SkuInline(admin.TabularInline):
    """Read-only: prices and stock are the seller's; editing here would skip the rules."""

    model = Sku
    extra = 0
    fields = ["label", "price", "available", "reserved", "is_active", "seller_code"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ProductPhotoInline(admin.TabularInline):
    """Read-only: uploads go through the photo pipeline and removal through
    catalog.services.photo_remove (seller centre or API), which keep the positions
    dense, the files in step with the rows, and a product on sale with a photo."""

    model = ProductPhoto
    extra = 0
    fields = ["preview", "position", "width", "height", "sha256"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def preview(self, obj: ProductPhoto):
        if not obj.thumb:
            return "—"
        return format_html(
            '<a href="{}"><img src="{}" width="100" height="100" alt=""></a>',
            obj.image.url,
            obj.thumb.url,
        )


class BanActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (for a ban)"), required=False, max_length=300)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "shop",
        "category",
        "status",
        "price_range",
        "stock_total",
        "created_at",
    ]
    list_filter = ["status", "category"]
    search_fields = ["title", "shop__name", "public_id"]
    list_select_related = ["shop", "category"]
    readonly_fields = [
        "public_id",
        "shop",
        "currency",
        "price_min",
        "price_max",
        "sales_count",
        "ban_reason",
        "status",
    ]
    inlines = [SkuInline, ProductPhotoInline]
    action_form = BanActionForm
    actions = ["ban", "unban"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        # Operators ban and sellers delist; deleting would bypass the services and
        # leave the photo files behind. This also removes the bulk "delete selected".
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_stock_total=Sum("skus__available"))

    @admin.display(description=_("price"), ordering="price_min")
    def price_range(self, obj: Product) -> str:
        if obj.price_min is None:
            return "—"
        low = format_money(obj.price_min, obj.currency)
        if obj.price_max == obj.price_min:
            return low
        return f"{low} – {format_money(obj.price_max, obj.currency)}"

    @admin.display(description=_("stock"), ordering="_stock_total")
    def stock_total(self, obj: Product) -> int:
        return obj._stock_total or 0

    @admin.action(description=_("Ban (write the reason in the box)"))
    def ban(self, request, queryset):
        reason = request.POST.get("reason", "")
        count = 0
        for product in queryset:
            try:
                services.product_ban(product=product, actor=request.user, reason=reason)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            count += 1
        self.message_user(request, _("%(n)d product(s) banned.") % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Lift the ban (the seller may relist)"))
    def unban(self, request, queryset):
        count = 0
        for product in queryset:
            services.product_unban(product=product, actor=request.user)
            count += 1
        self.message_user(request, _("%(n)d product(s) unbanned.") % {"n": count}, messages.SUCCESS)
