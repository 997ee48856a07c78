from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The deterministic demo data set that `make run` loads (`evillage seed_demo`)."""

    name = "evillage.demo"
    label = "demo"
