from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "evillage.sourcing"
    verbose_name = _("Wholesale sourcing")

    def ready(self) -> None:
        # Drop-shipping follows the orders' transitions (hooks registered on import).
        from evillage.sourcing import dropship  # noqa: F401
