from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """Double-entry books: accounts, immutable transfers, cached balances, audit."""

    name = "evillage.ledger"
    label = "ledger"
    verbose_name = _("ledger")
