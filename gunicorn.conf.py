"""gunicorn's settings for the web processes, from the environment.

gunicorn reads this file from the working directory, so `gunicorn masterclass.wsgi` run from
the project root uses it (as `make prod` does); options on the command line override it.

    WEB_BIND            full address, e.g. 0.0.0.0:8000 or unix:/run/masterclass.sock
    WEB_HOST, PORT      used when WEB_BIND is unset (default 127.0.0.1 and 8000)
    WEB_CONCURRENCY     worker processes (default 2 x cores + 1, at most 8)
    WEB_THREADS         threads per worker (default 1: sync workers; more: gthread)
    WEB_TIMEOUT         seconds before a stuck worker is killed and replaced (30)
    WEB_MAX_REQUESTS    requests before a worker is replaced, with jitter (20000; 0: never)
    FORWARDED_ALLOW_IPS addresses of the proxies trusted for X-Forwarded-* (127.0.0.1,::1)
    WEB_ACCESS_LOG      "-" for gunicorn's access log on stdout (default off: the application
                        logs each request itself)
"""

from __future__ import annotations

import os


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, not {value}.")
    return value


def _cores() -> int:
    # The cores this process may use (a container's limit), not the machine's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


bind = [
    os.environ.get("WEB_BIND")
    or f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{_int('PORT', 8000, minimum=1)}"
]
# Capped: each process keeps its own PostgreSQL connection pool, and more processes than
# about two per core only add memory and connections, not throughput.
workers = _int("WEB_CONCURRENCY", min(2 * _cores() + 1, 8), minimum=1)
threads = _int("WEB_THREADS", 1, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("WEB_TIMEOUT", 30, minimum=1)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = _int("WEB_KEEPALIVE", 5)
# Replacing each worker now and then bounds any slow leak; the jitter keeps them from all
# restarting at once.
max_requests = _int("WEB_MAX_REQUESTS", 20000)
max_requests_jitter = max_requests // 10

# Not preloaded: each worker imports Django after the fork, so no database pool, socket or
# thread is ever shared between processes.
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips

accesslog = os.environ.get("WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "masterclass-web"
# Heartbeat files in memory, not on a disk that may be slow or read-only in a container
# (gunicorn's advice; it makes each file with mkstemp, so a shared folder is safe).
_MEMORY = "/dev/shm"  # noqa: S108
if os.path.isdir(_MEMORY):
    worker_tmp_dir = _MEMORY
# gunicorn's control socket is one fixed path per user, which a second server on the same
# machine would take over; it is off unless a path is given.
control_socket = os.environ.get("WEB_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
