"""Issue 11 item 2: a bounded, total YAML loader. Every class of hostile YAML is exit 2 with
one message naming file, line and key; never a traceback, a hang or unbounded memory; the
previous cdktf.out stays byte-identical."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from untrusted_support import assert_refused, previous_outdir, run_cli, snapshot
from platform_config import ConfigError, load_platform
from platform_config import yaml_source
from platform_config.yaml_source import load_yaml

PROJECT = "projects/churn.yaml"
ENV = "environments/dev.yaml"
#: The line a text appended to the shipped project file starts on.
END = len((Path(__file__).resolve().parents[2] / "config" / PROJECT).read_text().splitlines()) + 1


def _line_of(text: str, exact: bool = False) -> int:
    """1-based line of ``text`` in the shipped project file (so example edits above it keep the test)."""
    lines = (Path(__file__).resolve().parents[2] / "config" / PROJECT).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if (line == text if exact else text in line))


def alias_bomb(levels: int = 10, fanout: int = 250) -> str:
    """About 10 KB of YAML that expands to fanout**levels nodes."""
    lines = ['bomb0: &b0 ["lol"]']
    for level in range(1, levels):
        lines.append(f"bomb{level}: &b{level} [" + ",".join([f"*b{level - 1}"] * fanout) + "]")
    return "\n".join(lines) + "\n"


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (id, file, edit(text) -> text, line, key, message fragment)
CASES = [
    ("recursive alias", PROJECT, lambda t: t + "loop: &loop [1, *loop]\n", END, "loop[1]", "recursive alias"),
    ("recursive mapping alias", PROJECT, lambda t: t + "loop: &loop {self: *loop}\n", END, "loop.self",
     "recursive alias"),
    ("nesting depth", PROJECT, lambda t: t + "deep: " + "[" * 300 + "]" * 300 + "\n", END, None,
     "nesting deeper than 64 levels"),
    ("block nesting depth", PROJECT,
     lambda t: t + "deep:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(80)) + "  " * 81 + "x: 1\n",
     None, None, "nesting deeper than 64 levels"),
    ("4301-digit integer", PROJECT, lambda t: t + "huge: " + "9" * 4301 + "\n", END, "huge",
     "integer out of range"),
    ("64-bit overflow", PROJECT, lambda t: _replace(t, "max_retries: 1", "max_retries: 9223372036854775808"),
     _line_of("max_retries: 1"), "jobs.max_retries", "out of range"),
    ("infinity", PROJECT, lambda t: _replace(t, "threshold: 0.2", "threshold: .inf"), _line_of("threshold: 0.2"),
     "jobs.retraining.drift.threshold", "not a finite number"),
    ("nan", PROJECT, lambda t: _replace(t, "threshold: 0.2", "threshold: .NaN"), _line_of("threshold: 0.2"),
     "jobs.retraining.drift.threshold", "not a finite number"),
    ("NUL byte", PROJECT, lambda t: _replace(t, "owner: churn", "owner: ch\x00urn"), _line_of("owner: churn"), None,
     f"U+0000 at line {_line_of('owner: churn')}, column 10"),
    ("control byte", PROJECT, lambda t: _replace(t, "owner: churn", "owner: \x1bchurn"), _line_of("owner: churn"), None,
     "U+001B"),
    ("escaped NUL in a string", PROJECT, lambda t: _replace(t, "owner: churn-team@example.com",
                                                             'owner: "churn\\0team@example.com"'),
     _line_of("owner: churn"), "owner", "control character U+0000"),
    ("tag on a scalar", PROJECT, lambda t: _replace(t, "cost_center: CC-4711", "cost_center: !!binary Q0MtNDcxMQ=="),
     _line_of("cost_center: CC-4711"), "cost_center", "unsupported tag 'tag:yaml.org,2002:binary'"),
    ("custom tag on a scalar", PROJECT, lambda t: _replace(t, "cost_center: CC-4711", "cost_center: !env CC"),
     _line_of("cost_center: CC-4711"), "cost_center", "unsupported tag '!env'"),
    ("tag on a sequence", PROJECT, lambda t: _replace(t, 'granularities: ["1 day", "1 week"]',
                                                       'granularities: !!python/tuple ["1 day", "1 week"]'),
     _line_of('granularities: ["1 day", "1 week"]'), "monitors.inference.inference_log.granularities", "unsupported tag 'tag:yaml.org,2002:python/tuple'"),
    ("python object on a mapping", PROJECT, lambda t: _replace(t, "\nmodel:\n", "\nmodel: !!python/object:os.system\n"),
     _line_of("model:", exact=True), "model", "unsupported tag 'tag:yaml.org,2002:python/object:os.system' on a mapping"),
    ("set on a mapping", PROJECT, lambda t: t + "flags: !!set {a, b}\n", END, "flags", "unsupported tag"),
    ("two documents", PROJECT, lambda t: t + "---\nname: other\n", END, None, "expected a single document"),
    ("yaml 1.1 boolean where a string is expected", PROJECT,
     lambda t: _replace(t, "owner: churn-team@example.com", "owner: NO"), _line_of("owner: churn"), "owner", "quote it if you mean the text ('NO')"),
    ("yaml 1.1 boolean as a key", PROJECT, lambda t: t + "on: push\n", END, None, "quote it ('on')"),
    ("bad merge key", PROJECT, lambda t: t + "merged:\n  <<: [1, 2]\n", END + 1, "merged.<<", "merge key (<<) must hold"),
]


#: A hang guard, generous enough for a loaded CI machine; not a speed goal.
HANG_GUARD = 30.0


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_yaml_is_exit_2_located(config_copy: Path, tmp_path: Path, case) -> None:
    _, rel, edit, line, key, fragment = case
    path = config_copy / rel
    path.write_text(edit(path.read_text()))
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    started = time.monotonic()
    run = run_cli(config_copy, outdir)
    assert time.monotonic() - started < HANG_GUARD  # no hang (speed: tests/benchmarks, `make bench`)
    where = f"{path}:{line}" if line else str(path)
    if line is None:  # the line is reported, whatever it is
        assert run.code == 2 and "Traceback" not in run.err
        assert any(l.startswith(f"error: {path}:") and fragment in l for l in run.err.splitlines()), run.err
        assert snapshot(outdir) == before
        return
    assert_refused(run, before, outdir, where, key, fragment)


def test_invalid_utf8_reports_line_and_column(config_copy: Path, tmp_path: Path) -> None:
    path = config_copy / PROJECT
    path.write_bytes(path.read_bytes().replace(b"owner: churn", b"owner: ch\xffurn", 1))
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    line = _line_of("owner: churn")
    assert_refused(run_cli(config_copy, outdir), before, outdir, f"{path}:{line}", None,
                   f"invalid UTF-8 at line {line}, column 10 (byte 0xff)")


def test_ten_kb_alias_bomb_is_refused_without_expanding(config_copy: Path, tmp_path: Path) -> None:
    """Refused by counting aliases, not by expanding them: the memory peak stays small. How fast
    is measured by tests/benchmarks/test_bench_config_load.py (`make bench`), not here."""
    bomb = alias_bomb()
    assert 8_000 < len(bomb) < 12_000
    path = config_copy / PROJECT
    path.write_text(path.read_text() + bomb)
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_yaml(path, "churn.yaml")
    assert time.monotonic() - started < HANG_GUARD  # no hang
    assert "aliases expand to more than" in str(info.value)
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError):
            load_yaml(path, "churn.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, peak
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir)
    assert run.code == 2 and "Traceback" not in run.err
    assert any(l.startswith(f"error: {path}:") and "aliases expand" in l for l in run.err.splitlines())
    assert snapshot(outdir) == before


@pytest.mark.parametrize("payload", ["[" * 100_000 + "]" * 100_000, "a: &a [*a, *a]\n",
                                     "x: " + "9" * 5000 + "\n"], ids=["deep", "recursive", "digits"])
def test_crashers_in_a_real_process(config_copy: Path, tmp_path: Path, payload: str) -> None:
    """Deep flow nesting crashed the C composer (segfault); now refused before it runs."""
    path = config_copy / PROJECT
    path.write_text(payload)
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    run = run_cli(config_copy, outdir, subprocess_run=True)
    assert run.code == 2, run.err
    assert "Traceback" not in run.err
    assert f"error: {path}:1 " in run.err
    assert snapshot(outdir) == before


def test_bom_and_crlf_keep_working(config_copy: Path) -> None:
    expected = load_platform(config_copy)
    for path in (config_copy / PROJECT, config_copy / ENV):
        text = path.read_text()
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert load_platform(config_copy) == expected


def test_merge_keys_work_as_yaml_defines(config_copy: Path) -> None:
    expected = load_platform(config_copy)
    path = config_copy / PROJECT
    text = _replace(path.read_text(), "    on_failure:\n      emails: [churn-team@example.com]\n"
                    "    on_duration_warning_threshold_exceeded:    # fires on the health rule below\n"
                    "      emails: [churn-team@example.com]\n",
                    "    on_failure: &notify\n      emails: [churn-team@example.com]\n"
                    "    on_duration_warning_threshold_exceeded:\n      <<: *notify\n")
    path.write_text(text)
    assert load_platform(config_copy) == expected  # merged, and not reported as a duplicate key


def test_explicit_keys_win_over_merged_ones(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("base: &b {x: 1, y: 2}\nother: &o {y: 9, z: 3}\nc:\n  <<: [*b, *o]\n  x: 5\n")
    data, smap = load_yaml(path, "m.yaml")
    assert data["c"] == {"x": 5, "y": 2, "z": 3}
    assert smap.locate(("c", "x"), "m.yaml") == ("m.yaml", 5)


def test_echoed_values_are_cut_and_invisible_characters_escaped(config_copy: Path, tmp_path: Path) -> None:
    path = config_copy / ENV
    path.write_text(_replace(path.read_text(), "cloud: azure", 'cloud: "az\\u202eure' + "x" * 300 + '"'))
    outdir = previous_outdir(tmp_path)
    before = snapshot(outdir)
    cloud = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("cloud:"))
    line = assert_refused(run_cli(config_copy, outdir), before, outdir, f"{path}:{cloud}", "cloud", "got 'az")
    assert "\u202e" not in line and "\\u202e" in line
    assert "x" * 90 not in line and "…" in line
    assert len(line) < 400


def test_libyaml_is_used_when_available() -> None:
    import yaml

    assert yaml_source.BACKEND == ("libyaml" if yaml.__with_libyaml__ else "python")


def test_pure_python_fallback_gives_the_same_data_and_lines(monkeypatch, tmp_path: Path, capsys) -> None:
    import yaml

    path = Path(__file__).resolve().parents[2] / "config" / PROJECT
    fast = load_yaml(path, "churn.yaml")
    monkeypatch.setattr(yaml_source, "_LIBYAML", False)
    monkeypatch.setattr(yaml_source, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yaml_source, "_noticed", False)
    slow = load_yaml(path, "churn.yaml")
    assert slow[0] == fast[0] and slow[1].entries == fast[1].entries
    assert "without libyaml" in capsys.readouterr().err
