from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from evillage.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("evillage.accounts.urls")),
    path("places/", include("evillage.places.urls")),
    # Before shops: /seller/orders/ is the orders app's, not a shop id under /seller/.
    path("", include("evillage.orders.urls")),
    path("seller/", include("evillage.shops.urls")),
    path("", include("evillage.payments.urls")),
    path("", include("evillage.messaging.urls")),
    path("", include("evillage.reviews.urls")),
    path("", include("evillage.sourcing.urls")),
    path("", include("evillage.sameitem.urls")),
    path("", include("evillage.observatory.urls")),
    path("", include("evillage.catalog.urls")),
    path("", include("evillage.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "evillage.error_views.bad_request"
handler500 = "evillage.error_views.server_error"
