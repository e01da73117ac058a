from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        # Register the tasks in every process, so that services enqueue them by name (outbox)
        # and run them in process when there is no broker; connect the receiver by which a
        # predecessor organisation's series continue in its successor's (``lineage``).
        from . import lineage, tasks  # noqa: F401
