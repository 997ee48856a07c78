from django.urls import path

from evillage.places import views

app_name = "places"
urlpatterns = [
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("<str:key>/households/", views.households, name="households"),
]
