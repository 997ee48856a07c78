from django.urls import path

from evillage.messaging.consumers import MessengerConsumer

websocket_urlpatterns = [path("ws/messenger/", MessengerConsumer.as_asgi())]
