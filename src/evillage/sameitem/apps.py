from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SameItemConfig(AppConfig):
    name = "evillage.sameitem"
    verbose_name = _("Identical products and photo rights")
