from django.urls import path

from evillage.sameitem import views

app_name = "sameitem"
urlpatterns = [
    path("p/<str:public_id>/identical/", views.identical, name="identical"),
    path("find-by-photo/", views.photo_search, name="search"),
    path("seller/<str:shop_id>/photo-rights/", views.seller_cases, name="seller_cases"),
    path(
        "seller/<str:shop_id>/photo-rights/<str:case_id>/appeal/",
        views.seller_appeal,
        name="appeal",
    ),
    path("seller/<str:shop_id>/my-photos/", views.supplier_photos, name="supplier_photos"),
    path("desk/photo-rights/", views.desk, name="desk"),
    path("desk/photo-rights/<str:case_id>/decide/", views.desk_decide, name="decide"),
]
