from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "evillage.core"
    label = "core"
