from django.contrib.auth import views as auth_views
from django.urls import path

from evillage.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("me/", views.profile, name="profile"),
    path("verification/", views.verification, name="verification"),
    path("tokens/", views.api_tokens, name="tokens"),
    path("tokens/<str:public_id>/revoke/", views.api_token_revoke, name="token-revoke"),
]
