from django.urls import path

from evillage.messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/open/", views.open_conversation, name="open"),
    path("messages/unread/", views.unread, name="unread"),
    path("messages/export/", views.export, name="export"),
    path("messages/c/<str:public_id>/", views.conversation, name="conversation"),
    path("messages/c/<str:public_id>/send/", views.send, name="send"),
    path("messages/c/<str:public_id>/poll/", views.poll, name="poll"),
    path("messages/c/<str:public_id>/block/", views.block, name="block"),
    path("messages/m/<str:public_id>/report/", views.report, name="report"),
    path("messages/img/<path:name>", views.image, name="image"),
    path("messages/shop/<str:public_id>/settings/", views.shop_settings, name="shop_settings"),
]
