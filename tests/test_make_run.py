"""`make run` starts the server and the two workers once and Ctrl-C stops each of them once.

The Makefile's own recipe runs, with a stand-in for `python manage.py` that starts at once and says
when it is told to stop (the real commands take minutes to import the demo catalog). Ctrl-C is what
a terminal sends: SIGINT to the whole foreground process group. The old recipe's
`trap 'kill 0' EXIT INT TERM` signalled its own shell, which ran the trap again: dozens of
"stopping" lines, a RecursionError and a segfault.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

STAND_IN = """#!{python}
import os, signal, sys, time
command = sys.argv[2] + ("@" + os.environ["Q_CLUSTER_NAME"] if "Q_CLUSTER_NAME" in os.environ else "")
if command in ("migrate", "seed_demo"):
    sys.exit(0)
def stop(signum, frame):
    print(f"{{command}} stopping on {{signal.Signals(signum).name}}", flush=True)
    time.sleep(0.3)  # a clean stop takes a moment; a second signal meanwhile would print again
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
print(f"{{command}} started, pid {{os.getpid()}}", flush=True)
while True:
    time.sleep(0.05)
"""


@pytest.fixture
def make_run(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(STAND_IN.format(python=sys.executable))
    python.chmod(0o755)
    log = tmp_path / "make.log"

    def start() -> subprocess.Popen:
        # As from a terminal: a process group of its own, with SIGINT's default action.
        return subprocess.Popen(
            ["make", "--no-print-directory", "-o", f"{tmp_path}/venv/.installed", "run", f"VENV={tmp_path}/venv"],
            cwd=settings.BASE_DIR, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def started() -> str:
        for _ in range(200):
            text = log.read_text()
            if all(f"{name} started" in text for name in ("qcluster", "qcluster@bulk", "runserver")):
                return text
            time.sleep(0.05)
        raise AssertionError(f"make run did not start all three:\n{log.read_text()}")

    return start, started, log


def _group_left(pgid: int) -> list[str]:
    return subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout.split()


def test_ctrl_c_stops_the_server_and_the_workers_once(make_run):
    start, started, log = make_run
    make = start()
    started()
    os.killpg(make.pid, signal.SIGINT)
    make.wait(timeout=10)
    text = log.read_text()
    assert [text.count(f"{name} stopping") for name in ("qcluster", "qcluster@bulk", "runserver")] == [1, 1, 1], text
    assert "Recursion" not in text and "Segmentation" not in text
    assert _group_left(make.pid) == []


def test_when_the_server_ends_the_workers_are_stopped_once(make_run):
    start, started, log = make_run
    make = start()
    server = re.search(r"runserver started, pid (\d+)", started()).group(1)
    os.kill(int(server), signal.SIGTERM)
    make.wait(timeout=10)
    text = log.read_text()
    assert text.count("qcluster stopping on SIGTERM") == 1 and text.count("qcluster@bulk stopping on SIGTERM") == 1
    assert text.count("stopping") == 3, text
    assert _group_left(make.pid) == []

