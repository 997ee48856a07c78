"""Sourcing pages. The seller-centre ones live under /seller/<shop>/ beside the shops
app's pages (shops.urls matches none of these paths, so they fall through to here)."""

from django.urls import path

from evillage.sourcing import views

app_name = "sourcing"
urlpatterns = [
    path("sourcing/", views.catalogue, name="catalogue"),
    path("sourcing/purchases/", views.purchases, name="purchases"),
    path("sourcing/o/<str:product_id>/", views.offer, name="offer"),
    path("sourcing/o/<str:product_id>/buy/", views.offer_buy, name="offer_buy"),
    path("sourcing/o/<str:product_id>/link/", views.offer_link, name="offer_link"),
    path("seller/<str:shop_id>/sourcing/", views.shop_sourcing, name="shop_sourcing"),
    path(
        "seller/<str:shop_id>/sourcing/links/<str:sku_id>/remove/",
        views.link_remove,
        name="link_remove",
    ),
    path("seller/<str:shop_id>/wholesale/", views.supplier_offers, name="supplier_offers"),
    path("seller/<str:shop_id>/wholesale/orders/", views.supplier_desk, name="supplier_desk"),
    path("seller/<str:shop_id>/wholesale/<str:product_id>/", views.terms_edit, name="terms_edit"),
]
