"""The portal's Celery application; configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icsportal.settings")

app = Celery("icsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _in_process_broker(sender, **kwargs):
    """With no broker, tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``): Kombu's in-memory
    transport stands in, so nothing looks for a broker, and Kombu does not warn that "No
    hostname was supplied" (the host is named for that reason only; nothing connects to it)."""
    if not sender.conf.broker_url and sender.conf.task_always_eager:
        sender.conf.broker_url = "memory://localhost/"
