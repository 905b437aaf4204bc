"""Issue 11 item 7: seeded, bounded fuzzing of the shipped config.

Each variant mutates one file of config/ (type swaps, deletions, duplicates, aliases, tags,
huge and negative numbers, unicode, templates). Every variant must either load, or fail
with a ConfigError whose every problem is located (file and line); no other exception,
and no variant may take more than a few seconds. A sample of the variants that load is
synthesized in this process: they must synthesize.

Seed: MLOPS_FUZZ_SEED (default 11); budget: MLOPS_FUZZ_SECONDS (default 20).
"""

from __future__ import annotations

import copy
import os
import random
import shutil
import time
from pathlib import Path

import pytest
import yaml

from support import EXAMPLE_CONFIG, synth_config
from platform_config import ConfigError, load_platform

SEED = int(os.environ.get("MLOPS_FUZZ_SEED", "11"))
BUDGET = float(os.environ.get("MLOPS_FUZZ_SECONDS", "20"))
MAX_VARIANTS = 400
PER_VARIANT = 3.0
SYNTH_SAMPLE = 2

HUGE = [2 ** 31, 2 ** 63, -(2 ** 63) - 1, 10 ** 30, -1, -(2 ** 31) - 1, 0, 1e308, -0.0, float("1e-300")]
UNICODE = ["\u202e", "\u200b", "\ufeff", "é", "😀", "\u0000", "\x1b[31m", "Ω" * 300, "\u2028"]
TEMPLATES = ['${file("/etc/hostname")}', "%{ if true }x%{ endif }", "${var.x}", "$${escaped}", "{{secrets/a/b}}",
             "${TfToken[TOKEN.1]}"]
TAGS = ["!!python/object:os.system", "!!binary", "!custom", "!!set", "!!str", "!!int", "!!float", "!!omap",
        "!!timestamp"]
SCALARS = [None, True, False, "", "yes", "NO", "on", 0, 1.5, "0x1F", [], {}, ["a"], {"k": "v"}, "x" * 5000]


def _paths(data, prefix=()):
    """Every key path in ``data``."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, prefix + (i,))


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def _set(data, path, value):
    _get(data, path[:-1])[path[-1]] = value


def _mutate_data(rng: random.Random, data):
    """One structural mutation of parsed data; returns (description, data)."""
    data = copy.deepcopy(data)
    paths = [p for p in _paths(data) if p]
    path = rng.choice(paths)
    kind = rng.choice(["swap", "delete", "huge", "unicode", "template", "rename", "wrap"])
    if kind == "swap":
        _set(data, path, copy.deepcopy(rng.choice(SCALARS)))
    elif kind == "delete":
        parent = _get(data, path[:-1])
        del parent[path[-1]]
    elif kind == "huge":
        _set(data, path, rng.choice(HUGE))
    elif kind == "unicode":
        value = _get(data, path)
        _set(data, path, f"{value}{rng.choice(UNICODE)}" if isinstance(value, str) else rng.choice(UNICODE))
    elif kind == "template":
        value = _get(data, path)
        probe = rng.choice(TEMPLATES)
        _set(data, path, f"{value} {probe}" if isinstance(value, str) else probe)
    elif kind == "rename" and isinstance(path[-1], str):
        parent = _get(data, path[:-1])
        parent[path[-1] + rng.choice(["", "-", "X", "\u200b", "${x}"]) + rng.choice(UNICODE[:4])] = parent.pop(path[-1])
    else:
        _set(data, path, [_get(data, path)])
    return f"{kind} {path}", data


def _mutate_text(rng: random.Random, text: str) -> tuple[str, str]:
    """One textual mutation (what a structural edit cannot express)."""
    lines = text.splitlines()
    i = rng.randrange(len(lines))
    kind = rng.choice(["duplicate", "alias", "tag", "bytes", "indent", "merge", "bomb", "truncate"])
    line = lines[i]
    if kind == "duplicate":
        lines.insert(i, line)
    elif kind == "alias" and ":" in line:
        key, _, value = line.partition(":")
        lines[i] = f"{key}: &a{i}{value}" if value.strip() else f"{key}: &a{i}"
        target = rng.randrange(len(lines))
        k2, _, _ = lines[target].partition(":")
        if ":" in lines[target] and target != i:
            lines[target] = f"{k2}: *a{i}"
    elif kind == "tag" and ":" in line:
        key, _, value = line.partition(":")
        lines[i] = f"{key}: {rng.choice(TAGS)}{value}"
    elif kind == "bytes":
        pos = rng.randrange(len(line) + 1)
        lines[i] = line[:pos] + rng.choice(["\x00", "\t", "\x7f", "\r", '"', "'", "{", "[", "&", "*", "!", "%", "@", "`", "|", ">"]) + line[pos:]
    elif kind == "indent":
        lines[i] = " " * rng.choice([1, 3, 20]) + line
    elif kind == "merge":
        lines.append("x_merge: &m {a: 1}")
        lines.append("y_merge: {<<: *m, <<: [*m]}")
    elif kind == "bomb":
        lines.append('b0: &b0 ["x"]')
        for level in range(1, 8):
            lines.append(f"b{level}: &b{level} [" + ",".join([f"*b{level - 1}"] * 12) + "]")
    else:
        lines = lines[: rng.randrange(1, len(lines) + 1)]
        return f"{kind} at {i}", "\n".join(lines)
    return f"{kind} at {i}", "\n".join(lines) + "\n"


def _files() -> list[Path]:
    return sorted(p.relative_to(EXAMPLE_CONFIG) for p in EXAMPLE_CONFIG.rglob("*.yaml"))


def _check_located(error: ConfigError, what: str) -> None:
    assert error.problems, what
    for problem in error.problems:
        assert problem.file, f"{what}: unlocated problem {problem}"
        assert problem.line >= 1 or problem.key == "" and problem.file.endswith((".yaml", ".yml", "config")), \
            f"{what}: no line in {problem}"


def test_fuzzed_config_loads_or_fails_located(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    files = _files()
    originals = {rel: (EXAMPLE_CONFIG / rel).read_text() for rel in files}
    parsed = {rel: yaml.safe_load(text) for rel, text in originals.items()}
    work = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, work)
    started = time.monotonic()
    loaded: list[tuple[str, dict[Path, str]]] = []
    counts = {"loaded": 0, "refused": 0}
    n = 0
    while n < MAX_VARIANTS and time.monotonic() - started < BUDGET:
        n += 1
        rel = rng.choice(files)
        if rng.random() < 0.5:
            what, data = _mutate_data(rng, parsed[rel])
            try:
                text = yaml.safe_dump(data, sort_keys=False, allow_unicode=rng.random() < 0.5, width=1000)
            except (yaml.YAMLError, RecursionError):
                continue
        else:
            what, text = _mutate_text(rng, originals[rel])
        what = f"variant {n} (seed {SEED}) {rel}: {what}"
        (work / rel).write_text(text, encoding="utf-8", errors="surrogatepass")
        t0 = time.monotonic()
        try:
            load_platform(work)
        except ConfigError as exc:
            _check_located(exc, what)
            counts["refused"] += 1
        else:
            counts["loaded"] += 1
            if text != originals[rel]:
                loaded.append((what, {rel: text}))
        finally:
            (work / rel).write_text(originals[rel])
        assert time.monotonic() - t0 < PER_VARIANT, f"{what} took {time.monotonic() - t0:.1f} s"
    print(f"fuzz: seed {SEED}, {n} variants in {time.monotonic() - started:.1f} s, {counts}")
    assert n >= 50, f"only {n} variants in {BUDGET} s"
    assert counts["refused"] and counts["loaded"], counts
    for what, changed in rng.sample(loaded, min(SYNTH_SAMPLE, len(loaded))):
        for rel, text in changed.items():
            (work / rel).write_text(text)
        try:
            synth_config(work, tmp_path / f"out-{len(what)}")  # a loaded variant must synthesize
        finally:
            for rel in changed:
                (work / rel).write_text(originals[rel])
