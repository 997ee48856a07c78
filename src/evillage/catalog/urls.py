from django.urls import path

from evillage.web.views import home

app_name = "catalog"
urlpatterns = [
    path("search/", home, name="search"),
    path("categories/", home, name="categories"),
]
