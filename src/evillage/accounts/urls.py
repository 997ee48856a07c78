from django.contrib.auth import views as auth_views
from django.urls import path

from evillage.web.views import home

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", home, name="register"),
    path("me/", home, name="profile"),
]
