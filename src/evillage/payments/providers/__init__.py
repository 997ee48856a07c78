"""Payment-provider adapters behind one interface (see base.PaymentProvider)."""

from django.conf import settings
from django.utils.translation import gettext as _

from evillage.core.errors import ValidationFailed
from evillage.payments.providers.base import PaymentProvider


def get_provider(name: str) -> PaymentProvider:
    if name not in settings.PAYMENT_PROVIDERS:
        raise ValidationFailed(_("Unknown payment provider."), code="bad_provider")
    if name == "sandbox":
        from evillage.payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    raise ValidationFailed(_("Unknown payment provider."), code="bad_provider")
