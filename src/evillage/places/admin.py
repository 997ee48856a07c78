from django.contrib import admin

from evillage.places.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "level", "country", "parent", "households")
    list_editable = ("households",)
    list_filter = ("country", "level")
    list_select_related = ("parent",)
    search_fields = ("name", "=code", "=key")
    raw_id_fields = ("parent",)
    readonly_fields = ("key",)
    ordering = ("country", "code")
    show_full_result_count = False  # counting 700,000 rows on every page is slow
    fields = (
        "key",
        "country",
        "code",
        "level",
        "name",
        "parent",
        "latitude",
        "longitude",
        "households",
    )
