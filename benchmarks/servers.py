"""The servers a benchmark starts and stops: the tracker under gunicorn, and Datasette."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .client import LOOPBACK, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
BIN = Path(sys.executable).parent  # the project's venv: benchmarks run with .venv/bin/python
DATASETTE_VENV = DATA / ".venv-datasette"


PRIORITY = -10


def raise_priority() -> None:
    """On a shared machine the benchmark's own processes (servers, client, load generator) run
    ahead of other work, as the tracker would on its own server. Needs root; else nothing."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, PRIORITY)
    except OSError:
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the peak so far) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


class Process:
    def __init__(self, command: list[str], env: dict, log: Path, port: int):
        self.command, self.env, self.log, self.port = command, env, log, port
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.log, "ab")
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=handle,
                                        stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=raise_priority)
        handle.close()
        try:
            wait_until_up(self.port, 120)
        except Exception:
            self.__exit__(None, None, None)
            raise RuntimeError(f"server did not start, see {self.log}") from None
        return self

    def __exit__(self, *_exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def gunicorn(env: dict, workers: int, log: Path) -> Process:
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"{LOOPBACK}:{port}",
               "--timeout", "600", "--graceful-timeout", "5", "tracker:create_app()"]
    return Process(command, env, log, port)


def worker_pids(server: Process) -> list[int]:
    return children(server.process.pid)


def ensure_datasette() -> tuple[Path, str]:
    """Datasette in its own venv (never a dependency of the project)."""
    executable = DATASETTE_VENV / "bin" / "datasette"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "--quiet", "datasette"],
                       check=True)
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    return executable, version


def datasette(executable: Path, database: Path, log: Path) -> Process:
    port = free_port()
    command = [str(executable), "serve", str(database), "--host", LOOPBACK, "--port", str(port),
               # Generous limits, so that every figure is computed rather than timed out.
               "--setting", "sql_time_limit_ms", "120000",
               "--setting", "facet_time_limit_ms", "120000",
               "--setting", "allow_csv_stream", "on"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRACKER_")}
    return Process(command, env, log, port)


def wait(seconds: float) -> None:
    time.sleep(seconds)
