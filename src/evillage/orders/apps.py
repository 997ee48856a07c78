from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "evillage.orders"
    verbose_name = _("orders")

    def ready(self) -> None:
        # A provider payment for a checkout is settled by the orders app (payments does not
        # import orders: it calls the handler registered for the payment's purpose).
        from evillage.orders.services.payment import settle_checkout_payment
        from evillage.payments.services import register_purpose

        register_purpose("checkout", settle_checkout_payment)
