# The Celery app (newsdesk.celery) is not imported here: web processes that
# never send a task need not load Celery (about 7 MB each). The tasks bind to
# it by importing it (annotations/tasks.py), and `celery -A newsdesk` finds
# it as newsdesk.celery.
