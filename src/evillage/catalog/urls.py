from django.urls import path

from evillage.catalog import views

app_name = "catalog"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("categories/", views.categories, name="categories"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<str:public_id>/", views.product, name="product"),
]
