"""gunicorn settings for production (the Dockerfile, docker-compose.yml and
the benchmarks read this file; command-line flags override it).

Sync workers: the API's requests are short and CPU-bound, and one request per
process keeps each off the others' interpreter lock (docs/benchmarks.md
compares threaded workers). The proxy in front buffers slow clients. About
one worker per core plus one; WEB_CONCURRENCY sets the number."""

import os

bind = "0.0.0.0:8000"
# gunicorn itself reads WEB_CONCURRENCY (and refuses a value that is not a number).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
# A sync worker that streams a large JSON Lines export is busy for the whole
# download; gunicorn's default of 30 s would kill it halfway.
timeout = 300
accesslog = "-"
