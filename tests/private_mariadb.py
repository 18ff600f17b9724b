"""A MariaDB server of a test's own, to stop and start at will (never the shared one on 3306)."""

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import HOST, free_port, log_tail

MARIADBD = "/usr/sbin/mariadbd"


@dataclass
class PrivateMariaDB:
    """mariadbd on a free port of 127.0.0.1 with its data in root/data; `url` names a database `ovdr`
    that the caller creates."""
    root: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mysql://root@{HOST}:{self.port}/ovdr"

    def install(self) -> None:
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.root / 'data'}",
                        "--auth-root-authentication-method=normal", "--skip-test-db",
                        f"--tmpdir={self.root / 'tmp'}", *self._user()],
                       check=True, capture_output=True, timeout=120)

    def start(self, timeout: float = 30) -> None:
        """Start on the same datadir and port; return once it accepts connections."""
        self.proc = subprocess.Popen(
            [MARIADBD, "--no-defaults", f"--datadir={self.root / 'data'}", f"--port={self.port}",
             f"--bind-address={HOST}", f"--socket={self.root / 'sock'}", f"--pid-file={self.root / 'pid'}",
             # Its own temp folder: on start mariadbd deletes every #sql* file in its tmpdir, which in
             # the default /tmp would include the shared server's live temporary tables.
             f"--tmpdir={self.root / 'tmp'}",
             f"--log-error={self.root / 'error.log'}", "--skip-name-resolve", "--innodb-buffer-pool-size=32M",
             # Durability is not under test: no flush per commit, which slows migrating down.
             "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", *self._user()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not start:\n{log_tail(self.root / 'error.log')}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, as a service manager restarting it would, and wait for it to exit."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def execute(self, sql: str) -> None:
        import MySQLdb

        conn = MySQLdb.connect(host=HOST, port=self.port, user="root", connect_timeout=1)
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def _answers(self) -> bool:
        import MySQLdb

        try:
            self.execute("SELECT 1")
        except MySQLdb.Error:
            return False
        return True

    @staticmethod
    def _user() -> list[str]:
        return ["--user=root"] if os.geteuid() == 0 else []  # mariadbd refuses root without it
