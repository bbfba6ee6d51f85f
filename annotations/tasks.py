"""Celery tasks: thin callers of services. Names are explicit and stable so
that moving code never strands queued messages."""

import logging

from django.db import InterfaceError, OperationalError

from newsdesk.celery import app

logger = logging.getLogger(__name__)

# Transient failures only: the database or the broker was unreachable for a moment.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@app.task(
    name="newsdesk.extract_entities",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=6,
)
def extract_entities_task(run_ids: list[int]) -> dict:
    """Extract the entities of these runs; runs already done or taken are skipped."""
    from annotations.services.extraction import run_extractions

    return run_extractions(run_ids)


@app.task(name="newsdesk.extract_where_named", acks_late=True, autoretry_for=TRANSIENT, retry_backoff=2, max_retries=6)
def extract_where_named_task(name: str) -> int:
    """A name people just taught: extract again the newest articles holding it."""
    from annotations.services.extraction import extract_again_where_named

    return extract_again_where_named(name)


@app.task(name="newsdesk.sweep_extraction_runs", acks_late=True)
def sweep_extraction_runs_task() -> int:
    """Re-send runs that never ran or whose worker died (scheduled by Celery beat)."""
    from annotations.services.extraction import sweep_runs

    return sweep_runs()


@app.task(name="newsdesk.retrain_ner", acks_late=True, time_limit=3600)
def retrain_ner_task() -> str:
    """Train a new model version from ANERcorp plus annotators' corrections."""
    from annotations.services.ner_models import retrain_model

    return retrain_model().version
