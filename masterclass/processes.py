"""Starting a Celery worker process the same way everywhere: tests, benchmarks, the load test.

Readiness is the worker's own "<hostname> ready." log line (logged at INFO once it consumes
from its queues), so a caller never sends work to a worker that is not yet listening, and
never sleeps for a guessed grace period.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
READY_MARK = " ready."


def free_port() -> int:
    """A loopback port that nothing listens on at this moment: for a server to start on, or for
    a connection that is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WorkerNotReady(RuntimeError):
    """The worker exited, or did not report itself ready in time. Carries its log."""


def celery_executable() -> str:
    """The project's own celery (its virtualenv), else whatever is on PATH."""
    local = BASE_DIR / ".venv" / "bin" / "celery"
    return str(local) if local.exists() else (shutil.which("celery") or "celery")


def worker_command(
    *,
    queues: Sequence[str],
    hostname: str,
    pool: str = "solo",
    concurrency: int | None = None,
    loglevel: str = "INFO",
) -> list[str]:
    """The `celery worker` command line. ``loglevel`` must be INFO or DEBUG for
    ``wait_until_ready`` to see the ready line; gossip and mingle are off because workers
    share nothing but the queues, and both slow start-up."""
    if not queues:
        raise ValueError("a worker needs at least one queue")
    if loglevel.upper() not in {"DEBUG", "INFO"}:
        raise ValueError("the ready line is logged at INFO: use INFO or DEBUG")
    command = [
        celery_executable(), "-A", "masterclass", "worker",
        "--pool", pool,
        "--queues", ",".join(queues),
        "--hostname", hostname,
        "--without-gossip", "--without-mingle",
        "--loglevel", loglevel.upper(),
    ]  # fmt: skip
    if concurrency is not None:
        command += ["--concurrency", str(concurrency)]
    return command


def wait_until_ready(
    process: subprocess.Popen[bytes], log_path: Path, *, since: int = 0, timeout: float = 60
) -> None:
    """Wait for the ready line written after byte ``since`` of the log. Raises WorkerNotReady
    (after killing the process if it is still running) when the worker exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        text = _read_from(log_path, since)
        if READY_MARK in text:
            return
        if process.poll() is not None:
            raise WorkerNotReady(f"the Celery worker exited with {process.returncode}:\n{text}")
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise WorkerNotReady(f"the Celery worker was not ready after {timeout:g} s:\n{text}")
        time.sleep(0.1)


def _read_from(path: Path, offset: int) -> str:
    """The log from ``offset`` on, without reading what came before (a long-running worker's
    log grows by a line a task)."""
    if not path.exists():
        return ""
    with open(path, "rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def start_worker(
    *,
    queues: Sequence[str],
    hostname: str,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    pool: str = "solo",
    concurrency: int | None = None,
    loglevel: str = "INFO",
    timeout: float = 60,
    own_session: bool = False,
) -> subprocess.Popen[bytes]:
    """Start a worker writing to ``log_path`` (appended to) and return it once ready.
    ``own_session`` keeps it out of the caller's process group, so that Ctrl-C reaches only
    the caller, which then stops its workers in order."""
    command = worker_command(
        queues=queues, hostname=hostname, pool=pool, concurrency=concurrency, loglevel=loglevel
    )
    since = log_path.stat().st_size if log_path.exists() else 0
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            # The ready line goes through Django's LOGGING (the worker does not take over the
            # root logger), whose level LOG_LEVEL sets: keep it at the worker's.
            env={**(os.environ if env is None else env), "LOG_LEVEL": loglevel.upper()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=own_session,
        )
    try:
        wait_until_ready(process, log_path, since=since, timeout=timeout)
    except BaseException:  # not ready, or the caller was interrupted: leave nothing running
        if process.poll() is None:
            process.kill()
            process.wait()
        raise
    return process
