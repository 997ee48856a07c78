from django.urls import path

from evillage.catalog import seller_views
from evillage.shops import views

app_name = "shops"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("open/", views.shop_open, name="open"),
    path("<str:shop_id>/", views.shop_home, name="shop"),
    path("<str:shop_id>/settings/", views.shop_settings, name="settings"),
    path("<str:shop_id>/status/", views.shop_status, name="shop_status"),
    path("<str:shop_id>/staff/", views.staff, name="staff"),
    path("<str:shop_id>/staff/<str:user_id>/remove/", views.staff_remove, name="staff_remove"),
    path("<str:shop_id>/products/new/", seller_views.product_new, name="product_new"),
    path("<str:shop_id>/products/variant-row/", seller_views.variant_row, name="variant_row"),
    path("<str:shop_id>/products/<str:product_id>/", seller_views.product_edit, name="product"),
    path(
        "<str:shop_id>/products/<str:product_id>/status/",
        seller_views.product_status,
        name="product_status",
    ),
    path(
        "<str:shop_id>/products/<str:product_id>/photos/",
        seller_views.photo_upload,
        name="photo_upload",
    ),
    path("<str:shop_id>/photos/<str:photo_id>/", seller_views.photo_action, name="photo_action"),
    path("<str:shop_id>/stock/<str:sku_id>/", seller_views.sku_stock, name="sku_stock"),
]
