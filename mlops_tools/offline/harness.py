"""Run real Terraform offline against synthesized cdktf stacks.

``ensure_mirror()`` installs the schema-driven stub provider
(:mod:`mlops_tools.offline.provider`) into a filesystem mirror and writes a
Terraform CLI config pointing at it.  ``verify_stack()`` copies a stack's
``cdk.tf.json`` into a scratch directory, replaces any remote backend with a
local one and runs ``terraform init``, ``validate`` and ``plan``;
``apply_stack()`` applies offline into a local state file (so that a base
revision can be applied and a head revision planned against the same state).
``offline_plan()`` is the CLI-facing wrapper that prints Terraform's plan text.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from mlops_tools.offline.schema import PROVIDER_ADDRESS, atomic_write, cache_dir, load_schema

STACK_FILE = "cdk.tf.json"
_UNSAFE_TF_VARS = (
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_PLUGIN_CACHE_DIR",
    "TF_CLI_ARGS",
    "TF_CLI_ARGS_init",
    "TF_CLI_ARGS_validate",
    "TF_CLI_ARGS_plan",
    "TF_CLI_ARGS_apply",
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
        if failed.name == "validate":
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


def _mirror_root(wrapper: str) -> Path:
    """One mirror per checkout and interpreter, so two checkouts never rewrite each other's."""
    key = hashlib.sha256(wrapper.encode()).hexdigest()[:12]
    return cache_dir() / "offline-terraform" / key


def _terraform_platform() -> str:
    """Terraform's name for this OS/architecture, e.g. linux_amd64 or darwin_arm64."""
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


def _provider_wrapper() -> str:
    """Shell wrapper that execs this interpreter on the provider module."""
    project_root = Path(__file__).resolve().parents[2]
    return (
        "#!/bin/sh\n"
        f'PYTHONPATH="{project_root}${{PYTHONPATH:+:$PYTHONPATH}}" '
        f'exec "{sys.executable}" -m mlops_tools.offline.provider "$@"\n'
    )


def _cli_config(mirror: Path) -> str:
    return (
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["{PROVIDER_ADDRESS}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{PROVIDER_ADDRESS}"]\n  }}\n'
        "}\n"
    )


def ensure_mirror() -> Path:
    """Install the stub provider into a filesystem mirror; return the CLI config file path (idempotent)."""
    version = load_schema()["provider_version"]
    wrapper = _provider_wrapper()
    root = _mirror_root(wrapper)
    mirror = root / "mirror"
    plugin = (mirror / PROVIDER_ADDRESS / version / _terraform_platform()
              / f"terraform-provider-databricks_v{version}")
    if not plugin.exists() or plugin.read_text() != wrapper:
        atomic_write(plugin, wrapper)
        plugin.chmod(0o755)
    config = root / "terraformrc"
    if not config.exists() or config.read_text() != _cli_config(mirror):
        atomic_write(config, _cli_config(mirror))
    return config


# --- environment allowlist (issue 11: the plan must not see the caller's credentials) ---
#: The only variables of the caller that offline Terraform (and the stand-in provider it
#: starts) receives: where programs, home, temp and caches are, locale and time zone,
#: Terraform's own logging, and the Python path the provider wrapper extends.
_ALLOWED_ENV = frozenset({"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TEMP", "TMP", "LANG", "LANGUAGE",
                          "TZ", "TERM", "NO_COLOR", "XDG_CACHE_HOME", "PYTHONPATH", "SYSTEMROOT",
                          "TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_CORE"})


def allowed_env(environ: dict[str, str] | os._Environ) -> dict[str, str]:
    """The allowlisted subset of ``environ`` (plus LC_*): no DATABRICKS_*, AWS_*, ARM_*,
    GITHUB_TOKEN, TF_TOKEN_* or any other credential-like variable reaches Terraform."""
    return {k: v for k, v in environ.items() if k in _ALLOWED_ENV or k.startswith("LC_")}
# --- end environment allowlist ---


def terraform_env(cli_config: Path) -> dict[str, str]:
    """Environment for terraform: mirror config, automation mode, only allowlisted variables."""
    env = {k: v for k, v in allowed_env(os.environ).items() if k not in _UNSAFE_TF_VARS}
    env.update({"TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
    return env


def _neutralize_backend(config: dict[str, Any], state: Path) -> dict[str, Any]:
    """Replace any backend / Terraform Cloud block with a local backend writing ``state``."""
    terraform = dict(config.get("terraform", {}))
    terraform.pop("cloud", None)
    terraform["backend"] = {"local": {"path": str(state)}}
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


def prepare_workdir(stack_dir: Path, workdir: Path, state: Path) -> None:
    """Copy the stack JSON into ``workdir`` with a local backend writing ``state``."""
    source = stack_dir / STACK_FILE
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found (synthesize the stack first)")
    workdir.mkdir(parents=True, exist_ok=True)
    config = _neutralize_backend(json.loads(source.read_text()), state)
    (workdir / STACK_FILE).write_text(json.dumps(config, indent=2))
    placeholders = offline_variables(config)
    if placeholders:
        (workdir / OFFLINE_TFVARS).write_text(json.dumps(placeholders, indent=2, sort_keys=True))
    assets = stack_dir / "assets"
    if assets.is_dir() and not (workdir / "assets").exists():
        shutil.copytree(assets, workdir / "assets")


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


class _Session:
    """One scratch working directory in which terraform commands run."""

    def __init__(self, stack_dir: Path, state: Path | None, workdir: Path | None,
                 on_event: Optional[Callable[[str, str, Optional[float]], None]] = None) -> None:
        self.stack_dir = Path(stack_dir)
        self.on_event = on_event  # mlops_tools.progress: (stack, phase, None at start | seconds at end)
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="offline-tf-")
        self.workdir = Path(workdir or self._tmp.name)
        self.state = Path(state) if state else self.workdir / "terraform.tfstate"
        self.env = terraform_env(ensure_mirror())
        prepare_workdir(self.stack_dir, self.workdir, self.state.resolve())
        self.result = VerifyResult(stack_dir=self.stack_dir, workdir=self.workdir)

    def run(self, name: str, *args: str) -> StepResult:
        if self.on_event:
            self.on_event(self.stack_dir.name, name, None)
        step = _run(name, list(args), self.workdir, self.env)
        if self.on_event:
            self.on_event(self.stack_dir.name, name, step.seconds)
        self.result.steps[name] = step
        self.result.timings[name] = step.seconds
        return step

    def init(self) -> bool:
        step = self.run("init", "init", "-input=false", "-no-color", "-backend=true")
        if not step.ok:
            self.result.diagnostics = _text_diagnostics(step)
        return step.ok

    def validate(self) -> bool:
        step = self.run("validate", "validate", "-json", "-no-color")
        self.result.diagnostics = _validate_diagnostics(step)
        return step.ok

    def plan(self) -> bool:
        step = self.run("plan", "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin")
        self.result.plan_text = step.stdout
        if not step.ok:
            self.result.diagnostics += _text_diagnostics(step)
            return False
        show = self.run("show", "show", "-json", "-no-color", "plan.bin")
        if show.ok:
            self.result.plan = json.loads(show.stdout)
        return show.ok

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def verify_stack(
    stack_dir: Path, *, plan: bool = True, state: Path | None = None, workdir: Path | None = None,
    on_event: Optional[Callable[[str, str, Optional[float]], None]] = None,
) -> VerifyResult:
    """Init, validate and (optionally) plan one synthesized stack offline.

    ``state`` is a local state file to plan against (e.g. one written by
    :func:`apply_stack` for a base revision); by default the plan starts from
    an empty state.  ``workdir`` keeps the scratch directory (with
    ``plan.bin``) instead of a temporary one that is deleted afterwards.
    ``on_event(stack, step, seconds)`` is called before (seconds None) and after each
    terraform step (see mlops_tools/progress.py).
    """
    session = _Session(stack_dir, state, workdir, on_event)
    try:
        result = session.result
        result.ok = session.init() and session.validate() and (not plan or session.plan())
        return result
    finally:
        session.close()


def apply_stack(stack_dir: Path, state_path: Path, *, workdir: Path | None = None,
                on_event: Optional[Callable[[str, str, Optional[float]], None]] = None) -> VerifyResult:
    """Apply one stack offline into the local state file ``state_path`` (nothing leaves the machine)."""
    session = _Session(stack_dir, state_path, workdir, on_event)
    try:
        result = session.result
        if session.init():
            step = session.run("apply", "apply", "-input=false", "-no-color", "-auto-approve", "-lock=false")
            if not step.ok:
                result.diagnostics = _text_diagnostics(step)
            result.ok = step.ok
        return result
    finally:
        session.close()


def _summary_line(stack: Path, result: VerifyResult) -> str:
    seconds = sum(result.timings.values())
    if not result.ok:
        return f"{stack.name}: FAILED ({seconds:.1f}s)"
    add, change, destroy = result.counts().values()
    return f"{stack.name}: {add} to add, {change} to change, {destroy} to destroy ({seconds:.1f}s)"


def offline_plan(stack_dirs: list[Path], *, out: TextIO = sys.stdout) -> int:
    """Verify and plan each stack offline, printing Terraform's plan text and a summary line.

    Returns 0 when every stack validated and planned, 1 when any failed,
    2 when terraform is not installed.
    """
    try:
        terraform_binary()
    except TerraformNotFound as exc:
        print(f"error: {exc}", file=out)
        return 2
    summaries: list[str] = []
    failed = False
    for stack in map(Path, stack_dirs):
        result = verify_stack(stack)
        print(f"=== {stack.name} ===", file=out)
        print(result.plan_text.strip() if result.ok else result.failure_text(), file=out)
        summaries.append(_summary_line(stack, result))
        failed |= not result.ok
    print("\n".join(summaries), file=out)
    return 1 if failed else 0
