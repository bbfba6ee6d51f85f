"""The Celery app, configured from Django settings (the CELERY_* names).

With no REDIS_URL the app runs every task in-process as it is sent, so the
quick start needs no broker and no worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")

app = Celery("newsdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
