"""Synthesize every stack into cdktf.out, all or nothing, byte-identical every time.

The app is synthesized into a temporary sibling directory (``cdktf.out.tmp-<pid>-<random>``)
and swapped into place only when synthesis succeeded, so a config error or a crash leaves
the previous cdktf.out untouched. Config is loaded and validated before any jsii binding
is imported, so bad input fails in well under a second.

The swap never leaves nothing:

* On Linux the new output and the previous one are exchanged in one atomic
  ``renameat2(RENAME_EXCHANGE)``: at every instant ``cdktf.out`` is one complete output.
* Elsewhere (or on a file system without exchange) two renames are used: the previous
  output moves to ``cdktf.out.old-<pid>``, then the new one into place. A complete output
  exists under one of the two names at every instant, and a run killed in between is
  recovered by the next run, which moves ``cdktf.out.old-<pid>`` back first.

Every run also removes leftover ``cdktf.out.tmp-*`` / ``cdktf.out.old-*`` folders of
processes that no longer run (killed synths).

With a dev user (``--dev-user`` / ``$MLOPS_DEV_USER``, :func:`dev_user_target`) only that
developer's dev target of one environment is synthesized (docs/code-delivery.md, Dev isolation).

Determinism: the app is built with cdktf's stack traces off (``App(stack_traces=False)``,
so annotations carry no jsii temp paths) and manifest.json is checked for any remaining
``stacktrace``, which is dropped. ``cdktf.out/stacks.json`` (:mod:`mlops_tools.stack_index`)
is written with sorted keys.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from databricks_spec.diagnostics import warn
from mlops_tools.errors import OutputError, UsageError
from mlops_tools.importer_file import read_environment_imports
from mlops_tools.registry import DEV_USER_VARIABLE
from platform_config import Platform, load_platform
from platform_config.errors import ConfigError
from resolution.checks import name_problems
from resolution.dev_user import dev_user_name_problem, dev_user_platform, dev_user_problem


@dataclass(frozen=True)
class StackSummary:
    name: str
    resources: int
    path: Path


def summarize(outdir: Path) -> list[StackSummary]:
    """Stack name, resource count and JSON path for each stack in a synthesized outdir."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    out = []
    for name, stack in sorted(manifest["stacks"].items()):
        path = outdir / stack["synthesizedStackPath"]
        doc = json.loads(path.read_text())
        count = sum(len(v) for v in doc.get("resource", {}).values())
        out.append(StackSummary(name, count, path))
    return out


# ----------------------------------------------------------------------------- the swap

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths (Linux renameat2); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl without it
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_into_place(tmp: Path, outdir: Path, *, exchange: bool = True) -> None:
    """Put the complete output ``tmp`` at ``outdir``; at no instant is there no complete output."""
    if not outdir.exists():
        os.rename(tmp, outdir)  # atomic, and there is no previous output to keep
        return
    if exchange and _exchange(tmp, outdir):
        shutil.rmtree(tmp)  # tmp now holds the previous output
        return
    old = outdir.with_name(f"{outdir.name}.old-{os.getpid()}")
    os.rename(outdir, old)  # from here until the next rename the previous output lives at `old`;
    os.rename(tmp, outdir)  # a run killed in between is repaired by recover_outdir()
    shutil.rmtree(old)


def _owner_alive(name: str, prefix: str) -> bool:
    """Whether the process that made leftover folder ``name`` (``<prefix><pid>[-…]``) still runs."""
    match = re.match(re.escape(prefix) + r"(\d+)(?:-|$)", name)
    if not match:
        return False  # not ours to keep (e.g. an older naming scheme): a leftover
    pid = int(match.group(1))
    if pid == os.getpid():
        return False  # this process made no folder yet: a dead process had our pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_outdir(outdir: Path) -> list[Path]:
    """Repair what killed runs left next to ``outdir``; return the folders removed.

    If ``outdir`` is missing but a complete previous output waits under
    ``<outdir>.old-<pid>`` (a run killed between its two renames), it is moved back.
    Then leftover temp and old folders of processes that no longer run are removed.
    """
    parent = outdir.parent
    if not parent.is_dir():
        return []
    tmp_prefix, old_prefix = f"{outdir.name}.tmp-", f"{outdir.name}.old-"
    entries = sorted(parent.iterdir())
    olds = [p for p in entries if p.name.startswith(old_prefix) and not _owner_alive(p.name, old_prefix)]
    if not outdir.exists():
        for old in olds:
            if (old / "manifest.json").is_file():
                os.rename(old, outdir)
                olds.remove(old)
                break
    stale = olds + [p for p in entries if p.name.startswith(tmp_prefix)
                    and not _owner_alive(p.name, tmp_prefix) and p.exists()]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


# ----------------------------------------------------------------------------- determinism

def _finish_output(outdir: Path, unit_paths: dict[str, dict[str, str]]) -> None:
    """What the engine wrote, made final, reading manifest.json once:

    * every element a flat unit created directly in its stack (mlops_constructs.unit) gets its
      unit path in the stack's ``//`` metadata (mlops_engine.logical_ids.with_unit_paths), so
      the output is byte for byte what the same units as a tree of constructs write, and an
      annotated element is named by its unit path in manifest.json too;
    * any annotation ``stacktrace`` left in manifest.json is removed (jsii temp paths, never stable).

    ``unit_paths``: per stack name, logical id -> unit path (stacks.app.unit_paths_of)."""
    from mlops_engine.logical_ids import with_unit_paths

    path = outdir / "manifest.json"
    text = path.read_text()
    manifest = json.loads(text)
    changed = False
    for name, stack in manifest.get("stacks", {}).items():
        paths = unit_paths.get(name, {})
        if paths:
            file = outdir / stack["synthesizedStackPath"]
            synthesized = file.read_text()
            rewritten = with_unit_paths(synthesized, name, paths)
            if rewritten != synthesized:
                file.write_text(rewritten)
        for annotation in stack.get("annotations", []):
            changed |= annotation.pop("stacktrace", None) is not None
            flat = str(annotation.get("constructPath", ""))
            unit = paths.get(flat[len(name) + 1:]) if flat.startswith(f"{name}/") else None
            if unit is not None:
                annotation["constructPath"], changed = unit, True
    if changed:
        path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + ("\n" if text.endswith("\n") else ""))


def load(config_dir: Path) -> Platform:
    """Load and validate config, every derived Databricks name included (resolution.checks,
    reported with the config layer's problems); report its warnings (printed by the CLI, they
    never fail). No jsii is involved."""
    platform = load_platform(config_dir, checks=(name_problems,))
    for warning in getattr(platform, "warnings", ()):  # Problems with severity "warning"
        warn(warning)
    return platform


def stacks_by_env(platform: Platform) -> dict[str, list[str]]:
    """Environment -> the names of its stacks (stacks.layout)."""
    from stacks.layout import plan_stacks

    out: dict[str, list[str]] = {}
    for spec in plan_stacks(platform):
        out.setdefault(spec.env, []).append(spec.name)
    return out


def dev_user_target(platform: Platform, dev_user: str, env_names: list[str] | tuple[str, ...] = ()) -> Platform:
    """The platform holding only ``dev_user``'s dev target (docs/code-delivery.md, Dev isolation).

    The environment is the one of ``env_names`` (at most one), default the only environment
    CI does not deploy. Bad input is a UsageError (exit 2): an invalid user name, an unknown
    environment, several environments, or one CI deploys (staging, prod). The prefixed names
    are checked like every derived name (ConfigError, exit 2)."""
    from platform_config.delivery import deployed_by_ci

    problem = dev_user_name_problem(dev_user)
    if problem:
        raise UsageError.of(problem, key="--dev-user", detail=f"or ${DEV_USER_VARIABLE}")
    names = list(dict.fromkeys(env_names))
    if len(names) > 1:
        raise UsageError.of(f"--dev-user takes one environment, not {', '.join(names)}", key="--env")
    if not names:
        names = sorted(n for n, e in platform.environments.items() if not deployed_by_ci(e))
        if len(names) != 1:
            raise UsageError.of("--dev-user needs --env: " + (
                f"several environments are not deployed by CI ({', '.join(names)})" if names else
                "every environment is deployed by CI"), key="--env")
    (env_name,) = names
    if env_name not in platform.environments:
        raise UsageError.of(f"unknown environment {env_name!r}", key="--env",
                            detail=f"known environments: {', '.join(sorted(platform.environments))}")
    problem = dev_user_problem(platform.environments[env_name], dev_user)
    if problem:
        raise UsageError.of(problem, key="--dev-user")
    if not platform.targets.get(env_name):
        raise UsageError.of(f"environment '{env_name}' has no enabled ML project: a dev target would be empty",
                            key="--dev-user")
    target = dev_user_platform(platform, env_name, dev_user)
    ConfigError.raise_for(name_problems(target))
    return target


def _make_tmp(outdir: Path) -> Path:
    try:
        outdir.parent.mkdir(parents=True, exist_ok=True)
        tmp = outdir.with_name(f"{outdir.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        tmp.mkdir()
        return tmp
    except OSError as exc:
        raise OutputError.of(f"cannot write the output folder {outdir}: {exc.strerror or exc}",
                             detail="choose another with --outdir or $CDKTF_OUTDIR") from None


def synth(config_dir: Path, outdir: Path, dev_user: str | None = None,
          env_names: list[str] | tuple[str, ...] = (), *, with_imports: bool = True) -> list[StackSummary]:
    """Validate config, synthesize all stacks, and swap the result into ``outdir``.

    With ``dev_user``: only that developer's dev target of one environment
    (:func:`dev_user_target`; ``env_names`` picks it). ``with_imports``: add the ``import``
    blocks of ``<config>/imports/<env>.yaml`` (:mod:`mlops_tools.importer`); ``mlops import``
    synthesizes without them, to check new ones. A dev target never imports (its objects are
    the developer's own, named with the user prefix).

    Raises ConfigError (exit code 2) before touching anything on bad config, and
    OutputError (exit code 2) when ``outdir`` cannot be written.
    """
    outdir = Path(outdir).resolve()
    platform = load(config_dir)
    if dev_user is not None:
        platform = dev_user_target(platform, dev_user, env_names)
        with_imports = False
    imports = read_environment_imports(config_dir, platform.environments) if with_imports else {}  # before jsii
    try:
        recover_outdir(outdir)
    except OSError as exc:
        raise OutputError.of(f"cannot repair the output folder {outdir}: {exc.strerror or exc}") from None
    if outdir.exists() and not outdir.is_dir():
        raise OutputError.of(f"the output folder {outdir} is a file")
    tmp = _make_tmp(outdir)
    try:
        from mlops_tools.stack_index import write_index
        from stacks.app import build_app, unit_paths_of  # imported late: jsii start-up costs ~2 s
        from stacks.layout import plan_stacks

        app = build_app(platform, tmp)
        unit_paths = unit_paths_of(app)
        if imports:  # config/imports/<env>.yaml: import blocks (docs/adopting.md); none: output unchanged
            from mlops_tools.importer import apply_imports

            apply_imports(app, stacks_by_env(platform), imports, unit_paths)
        app.synth()
        _finish_output(tmp, unit_paths)
        write_index(tmp, plan_stacks(platform))
        summaries = summarize(tmp)
        try:
            _swap_into_place(tmp, outdir)
        except OSError as exc:
            raise OutputError.of(f"cannot replace the output folder {outdir}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [StackSummary(s.name, s.resources, outdir / s.path.relative_to(tmp)) for s in summaries]


def format_table(summaries: list[StackSummary], root: Path | None = None) -> str:
    """A short table: stack, resource count, output path."""
    root = root or Path.cwd()
    rows = [("stack", "resources", "output")]
    for s in summaries:
        try:
            shown = s.path.relative_to(root)
        except ValueError:
            shown = s.path
        rows.append((s.name, str(s.resources), str(shown)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]}" for r in rows]
    lines.insert(1, f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * widths[2]}")
    return "\n".join(lines)
