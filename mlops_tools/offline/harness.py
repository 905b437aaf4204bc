"""Run real Terraform offline against synthesized cdktf stacks.

One stand-in provider process (:mod:`mlops_tools.offline.provider`) serves a
whole run: :func:`provider_server` starts it on first use and every Terraform
command of every stack attaches to it (``TF_REATTACH_PROVIDERS``), so a
command costs what Terraform itself costs. ``verify_stack()`` copies a
stack's ``cdk.tf.json`` into a scratch directory without its backend (state is
the directory's own ``terraform.tfstate``) and runs ``terraform plan`` (which
validates) and ``show -json``, or only ``validate``; ``init`` runs only for
stacks that use modules or other providers. ``apply_stack()`` applies offline
into a local state file (so that a base revision can be applied and a head
revision planned against the same state). ``verify_stacks()`` verifies many
stacks in parallel, and ``offline_plan()`` is the CLI-facing wrapper that
prints Terraform's plan text. Each accepts ``on_event`` for progress.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from mlops_tools.offline.provider_schema import PROVIDER_ADDRESS, atomic_write, cache_dir

STACK_FILE = "cdk.tf.json"
PROVIDER_MODULE = "mlops_tools.offline.provider"
START_TIMEOUT = 120.0  # seconds; the first start may rebuild the schema cache from the bindings
_UNSAFE_TF_VARS = (
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_PLUGIN_CACHE_DIR",
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_init",
    "TF_CLI_ARGS_validate",
    "TF_CLI_ARGS_plan",
    "TF_CLI_ARGS_apply",
    "TF_CLI_ARGS_show",
    "TF_REATTACH_PROVIDERS",
)
INSTALL_HINT = (
    "Terraform >= 1.5 is required on PATH for offline verification. Install it from the HashiCorp apt "
    "repository (https://developer.hashicorp.com/terraform/install: add apt.releases.hashicorp.com, then "
    "`apt-get install terraform`) or unzip a release from https://releases.hashicorp.com/terraform/ "
    "into a directory on PATH."
)


class TerraformNotFound(RuntimeError):
    """No ``terraform`` executable on PATH."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


@dataclass
class StepResult:
    """Outcome of one terraform command."""

    name: str
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the command exited with status 0."""
        return self.returncode == 0


@dataclass
class VerifyResult:
    """Outcome of :func:`verify_stack` for one stack."""

    stack_dir: Path
    workdir: Path
    ok: bool = False
    steps: dict[str, StepResult] = field(default_factory=dict)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    plan: dict[str, Any] | None = None
    plan_text: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def actions(self) -> dict[str, list[str]]:
        """Map each resource address in the plan to its actions (e.g. ``["create"]``)."""
        changes = (self.plan or {}).get("resource_changes", [])
        return {c["address"]: c["change"]["actions"] for c in changes}

    def counts(self) -> dict[str, int]:
        """Number of resources to add, change and destroy (a replacement counts as add and destroy)."""
        counts = {"add": 0, "change": 0, "destroy": 0}
        for actions in self.actions().values():
            counts["add"] += "create" in actions
            counts["change"] += "update" in actions
            counts["destroy"] += "delete" in actions
        return counts

    def error_summaries(self) -> list[str]:
        """Summaries of all error diagnostics (e.g. ``"Unsupported argument"``)."""
        return [d.get("summary", "") for d in self.diagnostics if d.get("severity") == "error"]

    def failure_text(self) -> str:
        """Terraform's own error output of the first failing step ('' when everything passed)."""
        failed = next((s for s in self.steps.values() if not s.ok), None)
        if failed is None:
            return ""
        if "validate" in self.steps and not self.steps["validate"].ok:  # validate's structured diagnostics
            return "\n\n".join(format_diagnostic(d) for d in self.diagnostics)
        return (failed.stderr + failed.stdout).strip()


def format_diagnostic(diagnostic: dict[str, Any]) -> str:
    """Render a ``terraform validate -json`` diagnostic like Terraform's human output."""
    lines = [f"{diagnostic.get('severity', 'error').capitalize()}: {diagnostic.get('summary', '')}"]
    where = diagnostic.get("range")
    snippet = diagnostic.get("snippet") or {}
    if where:
        context = f", in {snippet['context']}" if snippet.get("context") else ""
        lines.append(f"  on {where['filename']} line {where['start']['line']}{context}:")
    if snippet.get("code"):
        lines.append(f"  {snippet.get('start_line', '')}: {snippet['code']}")
    if diagnostic.get("detail"):
        lines.append(diagnostic["detail"])
    return "\n".join(lines)


def terraform_binary() -> str:
    """Path of the terraform executable, or raise :class:`TerraformNotFound`."""
    path = shutil.which("terraform")
    if path is None:
        raise TerraformNotFound()
    return path


def _cli_config() -> str:
    # The databricks provider is never installed: every command attaches to the stand-in
    # (TF_REATTACH_PROVIDERS). Excluding it from direct installation guarantees Terraform
    # never downloads the real one, even if attaching were skipped.
    return f'provider_installation {{\n  direct {{\n    exclude = ["{PROVIDER_ADDRESS}"]\n  }}\n}}\n'


def ensure_mirror() -> Path:
    """Write the Terraform CLI config for offline runs; return its path (idempotent).

    The config keeps the real databricks provider from ever being downloaded;
    Terraform reaches the stand-in through :class:`ProviderServer`'s reattach
    address instead of an installed plugin.
    """
    config = cache_dir() / "offline-terraform" / "terraformrc"
    if not config.exists() or config.read_text() != _cli_config():
        atomic_write(config, _cli_config())
    return config


# --- environment allowlist (issue 11: the plan must not see the caller's credentials) ---
#: The only variables of the caller that offline Terraform (and the stand-in provider it
#: starts) receives: where programs, home, temp and caches are, locale and time zone,
#: Terraform's own logging, and the Python path the provider wrapper extends.
_ALLOWED_ENV = frozenset({"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TEMP", "TMP", "LANG", "LANGUAGE",
                          "TZ", "TERM", "NO_COLOR", "XDG_CACHE_HOME", "PYTHONPATH", "SYSTEMROOT",
                          "TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_CORE",
                          "MLOPS_ENGINE"})  # the stand-in serves the selected engine's schema


def allowed_env(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The allowlisted subset of ``environ`` (plus LC_*): no DATABRICKS_*, AWS_*, ARM_*,
    GITHUB_TOKEN, TF_TOKEN_* or any other credential-like variable reaches Terraform."""
    return {k: v for k, v in environ.items() if k in _ALLOWED_ENV or k.startswith("LC_")}
# --- end environment allowlist ---


def terraform_env(cli_config: Path) -> dict[str, str]:
    """Environment for terraform: CLI config, automation mode, only allowlisted variables."""
    env = {k: v for k, v in allowed_env(os.environ).items() if k not in _UNSAFE_TF_VARS}
    env.update({"TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
    return env


# --------------------------------------------------------------------------- the shared provider


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


# --------------------------------------------------------------------------- one stack


_TERRAFORM_BLOCK = re.compile(r'^  "terraform": \{\n(.*?)^  \}', re.M | re.S)


def _without_backend(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration without its backend / Terraform Cloud block (state: the working directory's)."""
    terraform = {k: v for k, v in config.get("terraform", {}).items() if k not in ("backend", "cloud")}
    return {**config, "terraform": terraform}


#: Placeholder values for required input variables (e.g. notification destination secrets,
#: docs/observability.md): offline runs never need a secret, and no TF_VAR_* reaches them
#: (the environment allowlist above).
OFFLINE_TFVARS = "offline.auto.tfvars.json"


def offline_variables(config: dict[str, Any]) -> dict[str, str]:
    """``offline-<name>`` for every declared variable without a default."""
    out = {}
    for name, spec in sorted((config.get("variable") or {}).items()):
        if isinstance(spec, dict) and "default" not in spec:
            out[name] = f"offline-{name}"
    return out


def scratch_text(text: str) -> tuple[str, dict[str, Any]]:
    """The text Terraform reads in the scratch directory, and its parsed configuration.

    A backend or Terraform Cloud block is disabled: Terraform plans against
    the scratch directory's own ``terraform.tfstate``, and the stack's real
    state is never touched. cdktf's layout keeps every line where it was (the
    block's key becomes ``"//"``, a JSON comment), so a diagnostic's line
    number is the line in the synthesized ``cdk.tf.json``; other layouts are
    rewritten without the block.
    """
    config = json.loads(text)
    terraform = config.get("terraform", {})
    present = [key for key in ("backend", "cloud") if key in terraform]
    if not present:
        return text, config
    stripped = _without_backend(config)
    block = _TERRAFORM_BLOCK.search(text)
    if len(present) == 1 and "//" not in terraform and block is not None:
        key = re.compile(rf'^    "{present[0]}": ', re.M)
        inner = block.group(1)
        if len(key.findall(inner)) == 1:
            edited = text[:block.start(1)] + key.sub('    "//": ', inner) + text[block.end(1):]
            try:
                parsed = json.loads(edited)
            except ValueError:
                parsed = None
            if parsed is not None and parsed["terraform"].pop("//", None) == terraform[present[0]] \
                    and parsed == stripped:
                return edited, stripped
    return json.dumps(stripped, indent=2), stripped


def prepare_workdir(stack_dir: Path, workdir: Path) -> dict[str, Any]:
    """Copy the stack into ``workdir`` with its backend disabled (see :func:`scratch_text`);
    return the configuration Terraform sees."""
    source = stack_dir / STACK_FILE
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found (synthesize the stack first)")
    workdir.mkdir(parents=True, exist_ok=True)
    text, config = scratch_text(source.read_text())
    (workdir / STACK_FILE).write_text(text)
    placeholders = offline_variables(config)
    if placeholders:
        (workdir / OFFLINE_TFVARS).write_text(json.dumps(placeholders, indent=2, sort_keys=True))
    assets = stack_dir / "assets"
    if assets.is_dir() and not (workdir / "assets").exists():
        shutil.copytree(assets, workdir / "assets")
    return config


def _is_databricks_source(source: str) -> bool:
    parts = source.lower().split("/")
    return parts[-2:] == ["databricks", "databricks"] and parts[:-2] in ([], ["registry.terraform.io"])


def needs_init(config: dict[str, Any]) -> bool:
    """True when ``terraform init`` has work to do: modules, or providers other than the attached stand-in.

    Without a backend block, init would only install providers and modules;
    the databricks provider is attached, never installed, so a configuration
    using nothing else plans without init.
    """
    required = config.get("terraform", {}).get("required_providers", {})
    if set(required) != {"databricks"} or "module" in config:
        return True
    if not _is_databricks_source(str(required["databricks"].get("source", "databricks/databricks"))):
        return True
    if set(config.get("provider", {})) - {"databricks"}:
        return True
    types = {t for kind in ("resource", "data") for t in config.get(kind, {})}
    return any(not t.startswith("databricks_") for t in types)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("-")[0].split("."))


def version_allowed(version: str, constraints: str) -> bool:
    """Whether ``version`` meets a Terraform version constraint string (``"1.99.0"``, ``"~> 1.9, != 1.9.3"``)."""
    have = _version_key(version)
    for constraint in filter(None, (c.strip() for c in constraints.split(","))):
        match = re.fullmatch(r"(~>|>=|<=|!=|=|>|<)?\s*v?(\d+(?:\.\d+)*)", constraint)
        if match is None:
            return False
        op, want_text = match.group(1) or "=", match.group(2)
        want = _version_key(want_text)
        padded = want + (0,) * (len(have) - len(want))
        if op == "~>":
            upper = (*want[:-2], want[-2] + 1) if len(want) > 1 else (want[0] + 1,)
            ok = padded <= have and have[:len(upper)] < upper
        else:
            ok = {"=": have == padded, "!=": have != padded, ">": have > padded, ">=": have >= padded,
                  "<": have < padded, "<=": have <= padded}[op]
        if not ok:
            return False
    return True


def _version_problem(config: dict[str, Any], served: str) -> str | None:
    """Terraform's init error when the stack's databricks version constraint excludes the stand-in's version."""
    required = config.get("terraform", {}).get("required_providers", {}).get("databricks", {})
    wanted = required.get("version") if isinstance(required, dict) else None
    if not wanted or version_allowed(served, str(wanted)):
        return None
    return ("Error: Failed to query available provider packages\n\n"
            f"Could not retrieve the list of available versions for provider databricks/databricks: no available "
            f"releases match the given constraints {wanted} (the offline provider serves {served}, the version of "
            "the installed bindings)")


def _run(name: str, args: list[str], workdir: Path, env: dict[str, str]) -> StepResult:
    start = time.monotonic()
    proc = subprocess.run([terraform_binary(), *args], cwd=workdir, env=env, capture_output=True, text=True)
    return StepResult(name, args, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def _validate_diagnostics(step: StepResult) -> list[dict[str, Any]]:
    try:
        return json.loads(step.stdout).get("diagnostics", [])
    except ValueError:
        return [{"severity": "error", "summary": step.stderr.strip() or step.stdout.strip()}]


def _text_diagnostics(step: StepResult) -> list[dict[str, Any]]:
    """Error diagnostics from plain-text output (``Error: <summary>`` lines)."""
    lines = (step.stderr + step.stdout).splitlines()
    summaries = [line.split("Error: ", 1)[1].strip() for line in lines if "Error: " in line]
    return [{"severity": "error", "summary": s} for s in summaries] or [{"severity": "error", "summary": step.stderr}]


EventCallback = Callable[[str, str, "float | None"], None]
"""``on_event(stack, phase, seconds)``: ``seconds`` is None when a phase starts, its duration when
it ends; the last event of a stack is phase ``"ok"`` or ``"failed"`` with the stack's total seconds.
Phases are Terraform commands: ``init`` (only when the stack needs it), ``plan``, ``show``,
``validate`` (a validate-only check, or diagnostics after a failed plan) and ``apply``."""


class _Session:
    """One scratch working directory in which terraform commands, attached to the shared provider, run."""

    def __init__(self, stack_dir: Path, state: Path | None, workdir: Path | None,
                 on_event: EventCallback | None) -> None:
        self.stack_dir = Path(stack_dir)
        self.name = self.stack_dir.resolve().name
        self._on_event = on_event
        self._started = time.monotonic()
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="offline-tf-")
        self.workdir = Path(workdir or self._tmp.name)
        self.config = prepare_workdir(self.stack_dir, self.workdir)
        self.state = Path(state).resolve() if state else None
        self._local_state = self.workdir / "terraform.tfstate"
        if self.state is not None and self.state.is_file() and self.state != self._local_state.resolve():
            shutil.copyfile(self.state, self._local_state)
        self.server = provider_server()
        self.env = {**terraform_env(ensure_mirror()), "TF_REATTACH_PROVIDERS": self.server.reattach}
        self.result = VerifyResult(stack_dir=self.stack_dir, workdir=self.workdir)

    def event(self, phase: str, seconds: float | None) -> None:
        if self._on_event is not None:
            self._on_event(self.name, phase, seconds)

    def run(self, name: str, *args: str) -> StepResult:
        self.event(name, None)
        step = _run(name, list(args), self.workdir, self.env)
        self.result.steps[name] = step
        self.result.timings[name] = step.seconds
        self.event(name, step.seconds)
        return step

    def init(self) -> bool:
        """Check the provider version the stack asks for; run ``terraform init`` only when needed."""
        problem = _version_problem(self.config, self.server.provider_version)
        if problem is not None:
            step = StepResult("init", [], 1, "", problem, 0.0)
            self.result.steps["init"] = step
            self.result.diagnostics = _text_diagnostics(step)
            return False
        if not needs_init(self.config):
            return True
        step = self.run("init", "init", "-input=false", "-no-color")
        if not step.ok:
            self.result.diagnostics = _text_diagnostics(step)
        return step.ok

    def validate(self) -> bool:
        step = self.run("validate", "validate", "-json", "-no-color")
        self.result.diagnostics = _validate_diagnostics(step)
        return step.ok

    def plan(self) -> bool:
        """Plan (which validates) and read the plan; after a failed plan, validate for structured diagnostics."""
        step = self.run("plan", "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin")
        self.result.plan_text = step.stdout
        if not step.ok:
            if self.validate():
                self.result.diagnostics = _text_diagnostics(step)
            return False
        show = self.run("show", "show", "-json", "-no-color", "plan.bin")
        if show.ok:
            self.result.plan = json.loads(show.stdout)
        return show.ok

    def apply(self) -> bool:
        step = self.run("apply", "apply", "-input=false", "-no-color", "-auto-approve", "-lock=false")
        if self.state is not None and self._local_state.is_file() and self.state != self._local_state.resolve():
            atomic_write(self.state, self._local_state.read_bytes())  # also a partial apply's state, like a backend
        if not step.ok:
            self.result.diagnostics = _text_diagnostics(step)
        return step.ok

    def finish(self, ok: bool) -> VerifyResult:
        self.result.ok = ok
        self.event("ok" if ok else "failed", time.monotonic() - self._started)
        return self.result

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def verify_stack(
    stack_dir: Path, *, plan: bool = True, state: Path | None = None, workdir: Path | None = None,
    on_event: EventCallback | None = None,
) -> VerifyResult:
    """Plan one synthesized stack offline (``terraform plan`` validates it), or only validate it.

    With ``plan`` (the default) the commands are ``plan`` and ``show -json``
    (plus ``validate -json`` after a failed plan, for structured diagnostics);
    with ``plan=False`` only ``validate``. ``init`` runs only when the stack
    uses modules or other providers. ``state`` is a local state file to plan
    against (e.g. one written by :func:`apply_stack` for a base revision); it
    is read, never written. By default the plan starts from an empty state.
    ``workdir`` keeps the scratch directory (with ``plan.bin``) instead of a
    temporary one that is deleted afterwards. ``on_event`` reports progress
    (see :data:`EventCallback`).
    """
    session = _Session(stack_dir, state, workdir, on_event)
    try:
        ok = session.init() and (session.plan() if plan else session.validate())
        return session.finish(ok)
    finally:
        session.close()


def apply_stack(stack_dir: Path, state_path: Path, *, workdir: Path | None = None,
                on_event: EventCallback | None = None) -> VerifyResult:
    """Apply one stack offline into the local state file ``state_path`` (nothing leaves the machine)."""
    session = _Session(stack_dir, state_path, workdir, on_event)
    try:
        return session.finish(session.init() and session.apply())
    finally:
        session.close()


def default_jobs() -> int:
    """Stacks verified at once by default: the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def verify_stacks(
    stack_dirs: Iterable[Path], *, plan: bool = True, jobs: int | None = None,
    on_event: EventCallback | None = None,
) -> list[VerifyResult]:
    """Verify stacks in parallel (``jobs`` at once, default: the number of cores), every Terraform
    command attached to the one provider server; results in the order of ``stack_dirs``.

    ``on_event`` (see :data:`EventCallback`) is called from worker threads, one call at a time.
    """
    return list(_verified_in_order(stack_dirs, plan=plan, jobs=jobs, on_event=on_event))


def _verified_in_order(stack_dirs: Iterable[Path], *, plan: bool, jobs: int | None,
                       on_event: EventCallback | None) -> Iterator[VerifyResult]:
    """Each stack's result, in order, as soon as it and those before it are done."""
    stacks = [Path(s) for s in stack_dirs]
    lock = threading.Lock()

    def report(stack: str, phase: str, seconds: float | None) -> None:
        with lock:
            on_event(stack, phase, seconds)  # type: ignore[misc]

    callback = report if on_event is not None else None
    if not stacks:
        return
    provider_server()  # start it once, before the workers race for it
    with ThreadPoolExecutor(max_workers=max(1, jobs or default_jobs())) as pool:
        pending = [pool.submit(verify_stack, stack, plan=plan, on_event=callback) for stack in stacks]
        for future in pending:
            yield future.result()


def _summary_line(stack: Path, result: VerifyResult) -> str:
    seconds = sum(result.timings.values())
    if not result.ok:
        return f"{stack.name}: FAILED ({seconds:.1f}s)"
    add, change, destroy = result.counts().values()
    return f"{stack.name}: {add} to add, {change} to change, {destroy} to destroy ({seconds:.1f}s)"


def offline_plan(stack_dirs: list[Path], *, out: TextIO = sys.stdout, jobs: int | None = None,
                 on_event: EventCallback | None = None) -> int:
    """Plan the stacks offline in parallel, printing each one's Terraform plan text (in the given order)
    and a summary line per stack.

    Returns 0 when every stack planned, 1 when any failed, 2 when terraform is
    not installed. ``jobs`` and ``on_event`` as for :func:`verify_stacks`.
    """
    try:
        terraform_binary()
    except TerraformNotFound as exc:
        print(f"error: {exc}", file=out)
        return 2
    summaries: list[str] = []
    failed = False
    stacks = list(map(Path, stack_dirs))
    for stack, result in zip(stacks, _verified_in_order(stacks, plan=True, jobs=jobs, on_event=on_event)):
        print(f"=== {stack.name} ===", file=out)
        print(result.plan_text.strip() if result.ok else result.failure_text(), file=out)
        out.flush()
        summaries.append(_summary_line(stack, result))
        failed |= not result.ok
    print("\n".join(summaries), file=out)
    return 1 if failed else 0
