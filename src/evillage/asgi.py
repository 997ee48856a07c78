"""The ASGI application: Django for HTTP, Channels for the messenger's WebSocket."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evillage.settings")

# Set Django up before importing anything that touches models.
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from evillage.messaging.routing import websocket_urlpatterns  # noqa: E402
from evillage.messaging.ws_auth import MessengerAuth  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": MessengerAuth(URLRouter(websocket_urlpatterns)),
    }
)

# Python's full garbage collections scan every tracked object, and most of a server's
# objects are loaded here and live as long as the process (modules, Django, settings):
# with 1,000 sockets open the scans paused delivery for 85-176 ms (benchmarks.md,
# messaging). Collect once, then move what is alive now out of the collector's reach.
gc.collect()
gc.freeze()
