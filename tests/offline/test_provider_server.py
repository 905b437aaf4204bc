"""The one stand-in provider process of a run: started once, restarted if it dies, never outliving its run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlops_tools.offline import provider_process
from mlops_tools.offline.harness import ProviderServer, ProviderStartError, provider_server, verify_stack

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _exited(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def _wait_exited(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _exited(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_server_stops_when_the_process_that_started_it_dies() -> None:
    code = ("import os; from mlops_tools.offline.harness import ProviderServer; "
            "s = ProviderServer(); print(s.pid, flush=True); os._exit(0)")  # no atexit, no close()
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert _wait_exited(int(out)), "the provider server outlived the run that started it"


def test_close_stops_the_server_and_removes_its_socket() -> None:
    server = ProviderServer()
    assert server.running() and '"Test": true' in server.reattach
    socket_dir = Path(server._dir)  # noqa: SLF001 - the private socket directory
    assert oct(socket_dir.stat().st_mode & 0o777) == "0o700"
    server.close()
    assert not server.running() and not socket_dir.exists()


@pytest.mark.terraform
def test_a_dead_server_is_replaced(terraform: str, make_stack, stack_json, valid_resources: dict) -> None:
    first = provider_server()
    os.kill(first.pid, 9)
    deadline = time.monotonic() + 10
    while first.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    result = verify_stack(make_stack(stack_json(valid_resources)))
    assert result.ok, result.failure_text()
    assert provider_server() is not first and provider_server().running()


def test_start_failure_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider_process, "PROVIDER_MODULE", "mlops_tools.offline.no_such_module")
    with pytest.raises(ProviderStartError, match="No module named"):
        ProviderServer()


def test_a_silent_server_does_not_hang_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "silent_provider.py").write_text("import time\ntime.sleep(600)\n")
    monkeypatch.setattr(provider_process, "PROVIDER_MODULE", "silent_provider")
    monkeypatch.setattr(provider_process, "START_TIMEOUT", 1.0)
    start = time.monotonic()
    with pytest.raises(ProviderStartError):
        ProviderServer({**os.environ, "PYTHONPATH": str(tmp_path)})
    assert time.monotonic() - start < 30


@pytest.mark.terraform
def test_terraform_fetches_the_schema_once_per_command(
    terraform: str, make_stack, stack_json, valid_resources: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stand-in declares GetProviderSchemaOptional, so a plan (which opens the provider three
    times: validate, plan, apply-graph check) fetches and decodes the schema once, not three times."""
    log = tmp_path / "terraform.log"
    monkeypatch.setenv("TF_LOG", "trace")
    monkeypatch.setenv("TF_LOG_PATH", str(log))
    result = verify_stack(make_stack(stack_json(valid_resources)), plan_json=False)
    assert result.ok, result.failure_text()
    text = log.read_text()
    assert text.count("GRPCProvider.v6: returning cached schema") > 0
    assert text.count("GRPCProvider.v6: GetProviderSchema\n") == 1
