"""The one way tests, benchmarks and the load test start a Celery worker."""

import subprocess
import sys

import pytest

from masterclass import processes


class TestWorkerCommand:
    def test_names_the_queues_hostname_and_pool(self):
        command = processes.worker_command(
            queues=["grading", "default"], hostname="load-1@%h", concurrency=2, pool="prefork"
        )
        assert command[1:4] == ["-A", "masterclass", "worker"]
        assert command[command.index("--queues") + 1] == "grading,default"
        assert command[command.index("--hostname") + 1] == "load-1@%h"
        assert command[command.index("--pool") + 1] == "prefork"
        assert command[command.index("--concurrency") + 1] == "2"
        assert command[command.index("--loglevel") + 1] == "INFO"

    def test_refuses_no_queues(self):
        with pytest.raises(ValueError, match="queue"):
            processes.worker_command(queues=[], hostname="w@%h")

    def test_refuses_a_log_level_that_hides_the_ready_line(self):
        with pytest.raises(ValueError, match="INFO"):
            processes.worker_command(queues=["default"], hostname="w@%h", loglevel="WARNING")


def _process(script: str, log_path) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-c", script], stdout=log, stderr=log)


class TestWaitUntilReady:
    def test_returns_once_the_ready_line_is_written(self, tmp_path):
        log_path = tmp_path / "worker.log"
        script = "import time; print('celery@host ready.', flush=True); time.sleep(30)"
        process = _process(script, log_path)
        try:
            processes.wait_until_ready(process, log_path, timeout=20)
            assert process.poll() is None
        finally:
            process.kill()
            process.wait()

    def test_ignores_a_ready_line_from_an_earlier_start(self, tmp_path):
        log_path = tmp_path / "worker.log"
        log_path.write_text("[...] celery@host ready.\n")
        process = _process("import time; time.sleep(30)", log_path)
        with pytest.raises(processes.WorkerNotReady, match="not ready after"):
            processes.wait_until_ready(
                process, log_path, since=log_path.stat().st_size, timeout=0.5
            )
        assert process.poll() is not None, "a worker that never got ready is not left running"

    def test_reports_a_worker_that_exits_with_its_log(self, tmp_path):
        log_path = tmp_path / "worker.log"
        process = _process("import sys; print('no broker', flush=True); sys.exit(3)", log_path)
        with pytest.raises(processes.WorkerNotReady, match=r"exited with 3:\nno broker"):
            processes.wait_until_ready(process, log_path, timeout=20)
