from django.urls import path

from evillage.payments import views

app_name = "payments"
urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/top-up/", views.topup, name="topup"),
    path("wallet/withdraw/", views.withdraw, name="withdraw"),
    path("pay/sandbox/<str:public_id>/", views.sandbox_page, name="sandbox_page"),
]
