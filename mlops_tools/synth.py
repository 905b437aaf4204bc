"""Synthesize every stack into cdktf.out, all or nothing.

The app is synthesized into a temporary sibling directory and swapped into
place only when synthesis succeeded, so a config error or a crash leaves the
previous cdktf.out untouched. Config is loaded and validated before any jsii
binding is imported, so bad input fails in well under a second.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platform_config import load_platform


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


def _swap_into_place(tmp: Path, outdir: Path) -> None:
    old = outdir.with_name(f"{outdir.name}.old-{os.getpid()}")
    if outdir.exists():
        outdir.rename(old)
    tmp.rename(outdir)
    shutil.rmtree(old, ignore_errors=True)


def synth(config_dir: Path, outdir: Path) -> list[StackSummary]:
    """Validate config, synthesize all stacks, and swap the result into ``outdir``.

    Raises ConfigError (exit code 2) before touching anything on bad config.
    """
    platform = load_platform(config_dir)
    for warning in platform.warnings:  # e.g. a node type of another cloud (issue 11)
        print(f"warning: {warning}", file=sys.stderr)
    from stacks.app import build_app  # imported late: jsii start-up costs ~2 s

    outdir = outdir.resolve()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{outdir.name}.tmp-", dir=outdir.parent))
    try:
        build_app(platform, tmp).synth()
        summaries = summarize(tmp)
        _swap_into_place(tmp, outdir)
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
