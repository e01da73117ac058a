"""The portal's Celery application; configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icsportal.settings")

app = Celery("icsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
