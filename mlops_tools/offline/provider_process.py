"""The one stand-in provider process of a run, which every Terraform command attaches to.

:class:`ProviderServer` starts ``python -m mlops_tools.offline.provider`` on a private unix
socket and reads the ``TF_REATTACH_PROVIDERS`` value it announces; :func:`provider_server`
is the process-wide instance (started on first use, restarted if it died, stopped at exit).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from mlops_tools.offline.terraform_cli import ensure_mirror, terraform_env

PROVIDER_MODULE = "mlops_tools.offline.provider"
START_TIMEOUT = 120.0  # seconds; the first start may rebuild the schema cache from the bindings


class ProviderServer:
    """One unmanaged stand-in provider process that every Terraform command attaches to.

    Started with ``python -m mlops_tools.offline.provider unix:<private dir>/provider.sock``;
    it stops when :meth:`close` closes its standard input, or when this process
    exits (the pipe closes with it), so it never outlives the run.
    """

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="mlops-tf-"))  # 0700: only this user reaches the socket
        address = f"unix:{self._dir / 'provider.sock'}" if hasattr(socket, "AF_UNIX") else "127.0.0.1:0"
        project_root = str(Path(__file__).resolve().parents[2])
        env = dict(env if env is not None else os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [project_root, env.get("PYTHONPATH")]))
        self._stderr = open(self._dir / "stderr.log", "w+b")  # noqa: SIM115 - closed in close()
        self._process = subprocess.Popen(
            [sys.executable, "-m", PROVIDER_MODULE, address],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env)
        try:
            ready = json.loads(self._ready_line())
        except ValueError:
            message = self._stderr_text()
            self.close()
            raise ProviderStartError(message) from None
        self.reattach: str = json.dumps(ready["reattach"])
        self.provider_version: str = ready["provider_version"]

    def _ready_line(self) -> bytes:
        """The server's first line, or b"" if it exits or stays silent for START_TIMEOUT seconds."""
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.append(self._process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if not lines:
            self._process.kill()  # silent: never hang the run on it
            reader.join()
        return lines[0] if lines else b""

    @property
    def pid(self) -> int:
        """Process id of the provider server."""
        return self._process.pid

    def running(self) -> bool:
        """True while the server process is alive."""
        return self._process.poll() is None

    def _stderr_text(self) -> str:
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace").strip() or "the offline provider exited during start-up"

    def close(self) -> None:
        """Stop the server (closing its standard input) and remove its socket directory."""
        if self._process.stdin and not self._process.stdin.closed:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
        self._stderr.close()
        shutil.rmtree(self._dir, ignore_errors=True)


class ProviderStartError(RuntimeError):
    """The offline provider server could not start (its stderr is the message)."""


_server: ProviderServer | None = None
_server_lock = threading.Lock()


def provider_server() -> ProviderServer:
    """The process-wide provider server, started on first use (and again if it died).

    Every :func:`verify_stack`, :func:`apply_stack` and :func:`verify_stacks`
    call of this process attaches to it; call early (e.g. while synthesizing) to
    overlap its start-up (~0.4 s) with other work.
    """
    global _server
    with _server_lock:
        if _server is None or not _server.running():
            if _server is not None:
                _server.close()
            _server = ProviderServer(terraform_env(ensure_mirror()))
            atexit.unregister(stop_provider_server)  # registered once, however often restarted
            atexit.register(stop_provider_server)
        return _server


def stop_provider_server() -> None:
    """Stop the process-wide provider server if one is running (idempotent)."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.close()
            _server = None
