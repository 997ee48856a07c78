from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "evillage.payments"
    verbose_name = _("payments")

    def ready(self) -> None:
        # A succeeded top-up fills the payer's wallet, inside payment_succeed's transaction.
        from evillage.payments.models import PaymentPurpose
        from evillage.payments.services import register_purpose, settle_topup_payment

        register_purpose(PaymentPurpose.TOPUP, settle_topup_payment)
