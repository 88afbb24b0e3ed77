"""A throw-away PostgreSQL server for the tests: `initdb` in a temporary folder, listening on
a Unix socket in that folder only (no TCP), started and stopped by the tests themselves.

PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody` and its
programs run through `setpriv`. The server binaries come from Debian's `postgresql`
package (installed by scripts/setup.sh).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NOBODY = 65534


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@dataclass(frozen=True)
class Server:
    socket_dir: Path
    port: int
    user: str

    def url(self, database: str = "postgres") -> str:
        """A libpq address for `database` on this server (no password: trust on the socket)."""
        return f"postgresql://{self.user}@/{database}?host={self.socket_dir}&port={self.port}"


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]


@contextmanager
def postgres() -> Iterator[Server]:
    """Start a fresh cluster; stop it and delete it afterwards, whatever happened."""
    bindir = server_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: run scripts/setup.sh")
    root = Path(tempfile.mkdtemp(prefix="phieu-pg-"))
    data, log = root / "data", root / "server.log"
    user = "phieu"
    port = 5432 + os.getpid() % 1000  # only names the socket file: nothing listens on TCP
    try:
        if os.geteuid() == 0:
            os.chown(root, NOBODY, NOBODY)
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
        subprocess.run(_as_owner([str(bindir / "initdb"), "-D", str(data), "-U", user,
                                  "-A", "trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, env=env, timeout=120)
        options = (f"-k {root} -p {port} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log),
                                  "-o", options, "-w", "start"]),
                       check=True, capture_output=True, env=env, timeout=120)
        try:
            yield Server(root, port, user)
        finally:
            subprocess.run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m",
                                      "immediate", "-w", "stop"]),
                           capture_output=True, env=env, timeout=60)
    finally:
        shutil.rmtree(root, ignore_errors=True)
