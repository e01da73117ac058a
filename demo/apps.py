from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic (illustrative) data generators; above the apps they fill."""

    name = "demo"
    label = "demo"
    verbose_name = "Demo data"
