"""A real `manage.py qcluster` process for tests, sharing the test's MariaDB database and media."""

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from django.conf import settings
from django.db import connection

from jobs.models import Job


def skip_without_a_shared_database() -> None:
    if connection.vendor != "mysql":
        pytest.skip("the worker process needs a database server shared with the test (MariaDB)")


def worker_env(**extra: str) -> dict:
    db = connection.settings_dict  # the test database, shared with the worker process
    url = f"mysql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR), "Q_WORKERS": "1", **extra}


def _stop(cluster: subprocess.Popen) -> None:
    cluster.send_signal(signal.SIGTERM)  # the cluster's own graceful stop
    try:
        cluster.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait()


@contextmanager
def qcluster(*, log: Path | None = None, **env: str) -> Iterator[subprocess.Popen]:
    """A cluster (in its own process group) that is stopped whatever happens; its log goes to `log`."""
    with open(log or os.devnull, "w") as output:
        cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=settings.BASE_DIR,
                                   env=worker_env(**env), stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            yield cluster
        finally:
            _stop(cluster)


def job_wait(job: Job, *, seconds: float, until=lambda job: job.status not in Job.ACTIVE) -> Job:
    """Poll the job until `until(job)` holds (by default: it ended) or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job):
            break
        time.sleep(0.2)
    return job


def worker_pid(log: Path, *, task_name: str) -> int:
    """The pid of the worker process running a task, from django-q2's own log lines
    ("<process> ready for work at <pid>", then "<process> processing <task name> ...")."""
    text = log.read_text()
    pids = dict(re.findall(r"(Process-\w+) ready for work at (\d+)", text))
    process = re.findall(rf"(Process-\w+) processing {re.escape(task_name)} ", text)[-1]
    return int(pids[process])
