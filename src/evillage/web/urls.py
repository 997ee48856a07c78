from django.urls import path

from evillage.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("s/<str:public_id>/", views.shop, name="shop"),
    path("v/<str:key>/", views.place, name="place"),
]
