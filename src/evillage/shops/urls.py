from django.urls import path

from evillage.web.views import home

app_name = "shops"
urlpatterns = [
    path("", home, name="dashboard"),
]
