"""Test helpers shared by every test module (import with `from support import ...`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlops_engine import ENGINE, Engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config"
#: The Databricks provider release the selected engine's bindings wrap (what stacks pin).
PROVIDER_VERSION = ENGINE.provider_version


@dataclass(frozen=True)
class Synthesized:
    """A synthesized app: its outdir and each stack's parsed cdk.tf.json."""

    outdir: Path
    stacks: dict[str, dict]

    def stack_dir(self, name: str) -> Path:
        return self.outdir / "stacks" / name

    def resources(self, stack: str, rtype: str) -> dict[str, dict]:
        return self.stacks[stack].get("resource", {}).get(rtype, {})


def engine_neutral(doc: dict, engine: Engine = ENGINE) -> dict:
    """A synthesized stack with its two engine-specific strings (the engine's version in
    ``//.metadata.version``, the provider pin in ``terraform.required_providers``) replaced
    by placeholders, after checking the pin is the one ``engine``'s bindings wrap."""
    doc = json.loads(json.dumps(doc))
    metadata = doc["//"]["metadata"]
    pin = doc["terraform"]["required_providers"]["databricks"]
    assert pin["version"] == engine.provider_version, (engine.name, pin)
    metadata["version"], pin["version"] = "<engine version>", "<provider version>"
    return doc


def read_outdir(outdir: Path) -> Synthesized:
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = {name: json.loads((outdir / s["synthesizedStackPath"]).read_text())
              for name, s in manifest["stacks"].items()}
    return Synthesized(outdir, stacks)


def synth_config(config_dir: Path, outdir: Path) -> Synthesized:
    """Synthesize a config directory in-process (jsii is started once per process)."""
    from mlops_tools.synth import synth

    synth(config_dir, outdir)
    return read_outdir(outdir)


def terraform_or_skip() -> str:
    """Terraform path; missing terraform fails in CI (CI=true) and skips locally."""
    from mlops_tools.offline.harness import TerraformNotFound, terraform_binary

    try:
        return terraform_binary()
    except TerraformNotFound as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


# ----------------------------------------------------------------- config error tests (no jsii)

def edit_yaml(config: Path, relative: Path | str, change) -> Path:
    """Load config/<relative>, apply ``change(data)`` in place and write it back; returns the path."""
    import yaml

    path = config / relative
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000))
    return path


def config_problems(config: Path) -> list:
    """The ConfigError problems (file, line, key, message) loading ``config`` raises (derived
    names included, as the pipeline loads it: resolution.checks.load_checked)."""
    from platform_config import ConfigError
    from resolution.checks import load_checked

    with pytest.raises(ConfigError) as info:
        load_checked(config)
    return info.value.problems


def problem_at(problems: list, key: str):
    """The first problem reported at ``key`` (fails listing every problem when there is none)."""
    hits = [p for p in problems if p.key == key]
    assert hits, f"no problem at {key}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    """1-based line of the first line containing ``needle`` (at or after the first line containing ``after``)."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


# ----------------------------------------------------------------- output left untouched

def snapshot(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def previous_outdir(tmp_path: Path) -> Path:
    """A stand-in for the cdktf.out of an earlier good run."""
    out = tmp_path / "cdktf.out"
    (out / "stacks" / "dev").mkdir(parents=True)
    (out / "manifest.json").write_text('{"version": "previous"}\n')
    (out / "stacks" / "dev" / "cdk.tf.json").write_text('{"resource": {}}\n')
    return out


def assert_notices_shown_once_as_info(out: Path, text: str, error_words: tuple[str, ...] = ("notice", "monitor")) -> None:
    """Under a CDK CLI's synth (cdktf or cdktn), every annotation of ``out``/manifest.json shows
    exactly once in ``text`` (the CLI's output, ANSI stripped), as the CLI's INFO line, and no
    [ERROR] line mentions one (main.py prints no notices of its own there)."""
    manifest = json.loads((out / "manifest.json").read_text())
    notices = [a for s in manifest["stacks"].values() for a in s["annotations"]]
    assert notices, "the example has notices (paused monitors in dev)"
    for notice in notices:
        assert text.count(notice["message"]) == 1, notice["message"]
        assert f"INFO [{notice['constructPath']}]: {notice['message']}" in text
    error_lines = [line for line in text.splitlines() if "[ERROR]" in line]
    assert not [line for line in error_lines if any(word in line for word in error_words)], error_lines
