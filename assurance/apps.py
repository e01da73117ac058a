from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    name = "assurance"
    label = "assurance"
    verbose_name = "Assurance"

    def ready(self):
        # Imported here: the receiver's module reads models, which are ready only now.
        from metrics.signals import snapshot_published

        from .tasks import snapshot_published_warm

        snapshot_published.connect(snapshot_published_warm, dispatch_uid="assurance-pages-warm")
