"""Run the real `hallpulse` command and servers as child processes, bounded in time.

For behaviour that only shows across processes (migrations from scratch, gunicorn, a production
start-up) and for apps whose settings differ from the test session's: the extensions are module
globals, so a second, differently configured app in the test process would re-bind them.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP_VARIABLES = ("HALLPULSE_", "DATABASE_URL", "SECRET_KEY", "RATELIMIT_", "VAPID_", "FLASK_", "WEB_CONCURRENCY", "PORT")


def hallpulse_command() -> list[str]:
    """The installed console script next to this Python, else the same entry point through it."""
    script = BIN / "hallpulse"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from server.cli import main; sys.argv[0] = 'hallpulse'; main()"]


def app_env(instance: Path, **settings: str) -> dict[str, str]:
    """This environment without any app setting of the test run, plus an instance folder and `settings`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(APP_VARIABLES)}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["HALLPULSE_INSTANCE"] = str(instance)
    env.update(settings)
    return env


def run_hallpulse(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*hallpulse_command(), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def run_python(code: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Server:
    """A server process in its own process group, its output in files; stopped with SIGTERM."""

    def __init__(self, command: list[str], env: dict[str, str], log_dir: Path, shell: bool = False):
        self.stdout_path = log_dir / "server.out"
        self.stderr_path = log_dir / "server.err"
        with open(self.stdout_path, "w") as stdout, open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(
                command[0] if shell else command, shell=shell, executable="/bin/bash" if shell else None,
                env=env, cwd=REPO, stdout=stdout, stderr=stderr, start_new_session=True,
            )

    def output(self) -> str:
        return self.stdout_path.read_text() + self.stderr_path.read_text()

    def get(self, url: str, deadline_seconds: float = 60) -> tuple[int, dict, bytes]:
        """GET `url`, retrying until the server answers or the deadline passes."""
        deadline = time.monotonic() + deadline_seconds
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited ({self.process.returncode}):\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers), error.read()
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"no answer from {url} in {deadline_seconds} s:\n{self.output()}") from None
                time.sleep(0.25)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM to the server's own process group; SIGKILL if it has not exited in time."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
                raise AssertionError(f"the server ignored SIGTERM for {timeout} s:\n{self.output()}") from None
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc) -> None:
        """Whatever happened, nothing of this server's process group outlives the test."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)
