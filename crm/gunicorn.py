"""Gunicorn's configuration for the REST API and the admin: `gunicorn -c crm/gunicorn.py`.

Sync workers: each runs one request at a time on one thread, with one database connection kept
for CONN_MAX_AGE and health-checked before reuse. The sockets (`/ws/`) are not served here but by
the ASGI processes behind the same proxy (README, "Production layout"; docs/deploy.md).

Environment: WEB_CONCURRENCY (workers), GUNICORN_BIND, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS,
GUNICORN_ACCESS_LOG=1 (one line a request on stdout; off by default: nginx logs them).
"""

import os

wsgi_app = "crm.wsgi:application"


def default_workers() -> int:
    """Cores + 1, measured on 2 cores (bench/README.md, "An office day on two cores"): a worker that always
    has a request spends about a fifth of its time blocked (PostgreSQL, Redis, its socket), so one worker more
    than the cores keeps them busy; more workers only waited longer for a CPU and served no more requests."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
worker_class = "sync"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# A request running longer than this is killed with its worker; the proxy's timeout is longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Restart a worker now and then, a little apart, so that a slow leak cannot grow and the workers
# do not all restart at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Load the project once in the master: workers fork ready (memory shared until written) and a broken
# setting stops the start instead of looping workers. No database connection is opened at import.
preload_app = True
# The heartbeat file on tmpfs: on a disk a slow write could make the master think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's own advice
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "0") == "1" else None
errorlog = "-"
# gunicorn's control socket has one default path per user, which a second instance on the host
# (a benchmark, a staging copy) would take over; systemd's reload (HUP) and stop (TERM) need none.
control_socket_disable = True
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# nginx on the same host sets X-Forwarded-Proto; Django reads it (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # Nothing should have opened one in the master, but a connection inherited by two processes
    # would carry both their queries on one socket: start every worker with none.
    from django.db import connections

    connections.close_all()
