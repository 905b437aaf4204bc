"""Change review without credentials: what a change does, per stack, from git alone.

``change_review(base=...)``:

1. exports the base revision with ``git archive`` into a scratch directory
   (read-only for the repository: no worktree, no checkout);
2. synthesizes the base with *its own* ``main.py`` (cwd = the exported tree,
   interpreter = the current virtualenv) and the working tree with the
   current code, in parallel;
3. per stack: applies the base offline into a scratch local state with the
   stub provider (``mlops_tools.offline.harness.apply_stack``), then plans
   the head against that state (``verify_stack(state=...)``). A stack added
   by the change plans from an empty state (all creates); a stack removed by
   the change plans an empty configuration of the same provider against the
   base state (all deletes);
4. reviews the plans (:mod:`mlops_tools.review.plan_review`), and adds what plan
   JSON cannot show: a stateful resource whose ``lifecycle.prevent_destroy`` is
   on in the base and off in the head (⛔ protection removed). When Terraform
   refuses a head plan because prevent_destroy protects a resource the plan
   would destroy, the stack is planned once more with the protection lifted
   (scratch copy) to show which resource and why (⛔ blocked, exit 3).

Nothing leaves the machine, no secret is needed, and neither the repository
nor ``cdktf.out`` is touched. What it cannot see: drift in the real workspace
and values only the real provider computes (a real plan, with credentials,
shows those; see docs/delivery.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mlops_tools.review import rules
from mlops_tools.review.plan_review import (PROTECTION, RISK_ORDER, PlanInputError, Review, Risk, StackReview, cross_stack_moves,
                                            failed_review,
                                            prevent_destroy_refusals, refused_review, review_plan)
from mlops_tools.review.safe import code
from mlops_tools.review.stacks import (SynthStack, deploy_order, environment_names, read_manifest,
                                       stack_environment)

STACK_FILE = "cdk.tf.json"


class ChangeReviewError(RuntimeError):
    """A step of the change review failed (exit code 1)."""


class BadInput(ValueError):
    """The base revision, an argument or a side's configuration is unusable (exit code 2)."""


@dataclass(frozen=True)
class Side:
    """One synthesized side of the comparison."""

    label: str
    stacks: dict[str, SynthStack]
    environments: list[str]


def _git(project: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BadInput(f"git {' '.join(args)}: {proc.stderr.strip() or 'failed'}")
    return proc.stdout.strip()


def resolve_base(project: Path, base: str, *, merge_base: bool = False) -> str:
    """Commit id of ``base`` (or of its merge base with HEAD)."""
    if shutil.which("git") is None:
        raise BadInput("git is not installed")
    _git(project, "rev-parse", "--git-dir")
    try:
        sha = _git(project, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except BadInput:
        raise BadInput(f"unknown revision {base!r} (in CI fetch it first, e.g. actions/checkout "
                          "with fetch-depth: 0)") from None
    return _git(project, "merge-base", sha, "HEAD") if merge_base else sha


def export_revision(project: Path, sha: str, dest: Path) -> Path:
    """Extract the files of ``sha`` with git archive; return the project directory inside ``dest``."""
    prefix = _git(project, "rev-parse", "--show-prefix")
    dest.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(["git", "archive", "--format=tar", sha], cwd=_git(project, "rev-parse", "--show-toplevel"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
        archive.extractall(dest, filter="data")
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.wait() != 0:
        raise ChangeReviewError(f"git archive {sha} failed: {stderr.strip()}")
    return dest / prefix


def synthesize(project: Path, outdir: Path, label: str) -> subprocess.Popen[str]:
    """Start ``python main.py`` of ``project`` writing ``outdir`` (returns the running process)."""
    env = {**os.environ, "CDKTF_OUTDIR": str(outdir), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)  # the side's own packages must win (cwd is on sys.path via main.py)
    return subprocess.Popen([sys.executable, "main.py"], cwd=project, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish_synth(proc: subprocess.Popen[str], project: Path, outdir: Path, label: str) -> Side:
    _, stderr = proc.communicate()
    if proc.returncode != 0:
        error = BadInput if proc.returncode == 2 else ChangeReviewError  # 2: bad config (file:line in stderr)
        raise error(f"synthesizing the {label} failed (exit {proc.returncode}):\n{stderr.strip()}")
    if not (outdir / "manifest.json").is_file() and (project / "cdktf.out" / "manifest.json").is_file():
        outdir = project / "cdktf.out"  # an older main.py that ignores CDKTF_OUTDIR
    return Side(label, read_manifest(outdir), environment_names(project / "config"))


def _empty_stack(base_dir: Path, dest: Path) -> Path:
    """A configuration with the base stack's providers but no resources: planning it deletes everything."""
    doc = json.loads((base_dir / STACK_FILE).read_text())
    empty = {k: doc[k] for k in ("terraform", "provider") if k in doc}
    dest.mkdir(parents=True, exist_ok=True)
    (dest / STACK_FILE).write_text(json.dumps(empty, indent=2))
    return dest


def _stack_doc(stack: SynthStack | None) -> dict:
    if stack is None or not (stack.directory / STACK_FILE).is_file():
        return {}
    return json.loads((stack.directory / STACK_FILE).read_text())


def _prevent_destroy(body: object) -> bool:
    lifecycle = body.get("lifecycle") if isinstance(body, dict) else None
    return isinstance(lifecycle, dict) and lifecycle.get("prevent_destroy") is True


def protection_removed(stack: str, base_doc: dict, head_doc: dict) -> list[Risk]:
    """⛔ for every stateful resource whose lifecycle.prevent_destroy is on in the base and off in the
    head (same address). A resource removed from the head is not listed: its delete is flagged."""
    risks = []
    base_resources, head_resources = base_doc.get("resource") or {}, head_doc.get("resource") or {}
    for rtype in sorted(set(base_resources) & set(rules.STATEFUL)):
        for name, body in sorted((base_resources.get(rtype) or {}).items()):
            head_body = (head_resources.get(rtype) or {}).get(name)
            if head_body is None or not _prevent_destroy(body) or _prevent_destroy(head_body):
                continue
            label = next((head_body[k] for k in ("name", "full_name") if isinstance(head_body.get(k), str)), "")
            what = code(f"{rtype}.{name}") + (f" ({code(label)})" if label else "")
            risks.append(Risk(PROTECTION, stack, f"{rtype}.{name}",
                              f"{what}: lifecycle.prevent_destroy is turned off (on in the base): from now on a "
                              f"plan may delete or replace it without Terraform refusing ({rules.STATEFUL[rtype]}). "
                              "If intended, merge it as a change of its own (label `allow-destroy`)",
                              blocking=True))
    return risks


def _unprotected(head_dir: Path, dest: Path) -> Path:
    """A copy of the head stack with every prevent_destroy lifted (to see what a refused plan would do)."""
    doc = json.loads((head_dir / STACK_FILE).read_text())
    for items in (doc.get("resource") or {}).values():
        for body in items.values():
            lifecycle = body.get("lifecycle") if isinstance(body, dict) else None
            if isinstance(lifecycle, dict) and "prevent_destroy" in lifecycle:
                lifecycle["prevent_destroy"] = False
    dest.mkdir(parents=True, exist_ok=True)
    (dest / STACK_FILE).write_text(json.dumps(doc, indent=2))
    if (head_dir / "assets").is_dir() and not (dest / "assets").exists():
        shutil.copytree(head_dir / "assets", dest / "assets")
    return dest


def review_stack(name: str, base: SynthStack | None, head: SynthStack | None, scratch: Path,
                 plans_dir: Path | None = None) -> StackReview:
    """Apply ``base`` offline, plan ``head`` against it, review the plan (and the lifecycle change).

    ``plans_dir`` also keeps the plan as ``<stack>.json`` (``terraform show -json``), or, when
    Terraform failed or refused, its output as ``<stack>.error.txt``: data a privileged workflow
    can review with its own code (``review --plans-dir``).
    """
    review = _review_stack(name, base, head, scratch, plans_dir)
    review.risks = sorted(review.risks + protection_removed(name, _stack_doc(base), _stack_doc(head)),
                          key=lambda r: (RISK_ORDER.index(r.kind), r.address))
    return review


def _keep(plans_dir: Path | None, name: str, plan: dict | None = None, error: str = "") -> None:
    if plans_dir is None:
        return
    plans_dir.mkdir(parents=True, exist_ok=True)
    if plan is not None:
        (plans_dir / f"{name}.json").write_text(json.dumps(plan))
    else:
        (plans_dir / f"{name}.error.txt").write_text(error)


def _review_stack(name: str, base: SynthStack | None, head: SynthStack | None, scratch: Path,
                  plans_dir: Path | None) -> StackReview:
    from mlops_tools.offline.harness import apply_stack, verify_stack

    state = scratch / "state" / f"{name}.tfstate"
    state.parent.mkdir(parents=True, exist_ok=True)
    note = ""
    if base is not None:
        applied = apply_stack(base.directory, state)
        if not applied.ok:
            return StackReview(name, error="applying the base revision offline failed:\n" + applied.failure_text())
    if head is None:
        assert base is not None
        head_dir = _empty_stack(base.directory, scratch / "removed" / name)
        note = "stack removed by this change: every resource in it is deleted"
    else:
        head_dir = head.directory
        if base is None:
            note = "stack added by this change"
    result = verify_stack(head_dir, state=state if base is not None else None)
    if not result.ok or result.plan is None:
        error = result.failure_text() or "terraform produced no plan"
        _keep(plans_dir, name, error=error)
        refused = prevent_destroy_refusals(error)
        if not refused:
            return failed_review(name, error, note=note)
        # A copy of the state: this plan is only to explain the refusal, never to be applied.
        unprotected_state = scratch / "state" / f"{name}.unprotected.tfstate"
        if base is not None:
            shutil.copyfile(state, unprotected_state)
        lifted = verify_stack(_unprotected(head_dir, scratch / "unprotected" / name),
                              state=unprotected_state if base is not None else None)
        return refused_review(name, error, refused, lifted.plan if lifted.ok else None, note=note)
    _keep(plans_dir, name, plan=result.plan)
    try:
        return review_plan(name, result.plan, note=note)
    except PlanInputError as exc:  # pragma: no cover - terraform always writes a plan document
        return StackReview(name, error=str(exc), note=note)


def change_review(base: str, *, project: Path | None = None, environments: list[str] | None = None,
                  head_outdir: Path | None = None, merge_base: bool = False, allow_destroy: bool = False,
                  jobs: int = 4, keep: Path | None = None, plans_dir: Path | None = None) -> tuple[Review, str]:
    """Review what changing ``base`` into the working tree does; returns (review, base commit id).

    ``environments`` limits the stacks (default: every environment);
    ``head_outdir`` reuses an already synthesized working tree (e.g. CI's
    cdktf.out) instead of synthesizing it again; ``keep`` keeps the scratch
    directory (base tree, synthesized outputs, states) for debugging;
    ``plans_dir`` keeps each stack's plan JSON (or Terraform's error output) there.
    """
    from mlops_tools.offline.harness import terraform_binary

    project = Path(project or Path.cwd()).resolve()
    sha = resolve_base(project, base, merge_base=merge_base)
    terraform_binary()  # fail early (TerraformNotFound) before synthesizing anything
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="change-review-", dir=keep))
    else:
        scratch = Path(tempfile.mkdtemp(prefix="change-review-"))
    try:
        base_project = export_revision(project, sha, scratch / "base")
        base_out, head_out = scratch / "base.out", scratch / "head.out"
        if (base_project / "main.py").is_file():
            base_proc = synthesize(base_project, base_out, "base")
        else:
            base_proc = None
        try:
            if head_outdir is None:
                head_proc = synthesize(project, head_out, "working tree")
                head = _finish_synth(head_proc, project, head_out, "working tree")
            else:
                head = Side("working tree", read_manifest(Path(head_outdir)), environment_names(project / "config"))
        except BaseException:
            if base_proc is not None:  # do not leave the base synth writing into a removed scratch dir
                base_proc.kill()
                base_proc.communicate()
            raise
        if base_proc is not None:
            base_side = _finish_synth(base_proc, base_project, base_out, f"base revision {sha[:12]}")
        else:
            base_side = Side("base", {}, [])
        known = sorted(set(head.environments) | set(base_side.environments))
        unknown = sorted(set(environments or []) - set(known))
        if unknown:
            raise BadInput(f"unknown environment(s) {', '.join(unknown)}; known: {', '.join(known)}")
        names = _ordered(head, base_side)
        if environments:
            names = [n for n in names if stack_environment(n, known) in set(environments)]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            reviews = list(pool.map(lambda n: review_stack(n, base_side.stacks.get(n), head.stacks.get(n), scratch,
                                                           plans_dir), names))
        return Review(cross_stack_moves(reviews), allow_destroy=allow_destroy, lifecycle_checked=True), sha
    finally:
        if keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


def _ordered(head: Side, base: Side) -> list[str]:
    """Head stacks in deploy order, then stacks only the base has (removed), by name."""
    order = deploy_order(head.stacks) if head.stacks else []
    return order + sorted(set(base.stacks) - set(head.stacks))
