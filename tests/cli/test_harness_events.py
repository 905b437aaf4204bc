"""The offline harness reports each terraform step through on_event (the Progress callback)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from mlops_tools.progress import FINISHED, Progress
from support import terraform_or_skip


def tiny_stack(tmp_path: Path, name: str = "tiny") -> Path:
    stack = tmp_path / "stacks" / name
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps({"terraform": {}, "output": {"x": {"value": "1"}}}))
    return stack


def test_verify_stack_reports_start_and_end_of_every_step(tmp_path: Path) -> None:
    terraform_or_skip()
    from mlops_tools.offline.harness import verify_stack

    events: list[tuple[str, str, float | None]] = []
    result = verify_stack(tiny_stack(tmp_path), on_event=lambda *event: events.append(event))
    assert result.ok, result.failure_text()
    assert {stack for stack, _, _ in events} == {"tiny"}
    steps = [(phase, sec) for _, phase, sec in events if phase not in FINISHED]
    expected = [(name, marker) for name in result.steps for marker in ("start", "end")]
    assert [(phase, "start" if sec is None else "end") for phase, sec in steps] == expected
    assert "plan" in result.steps and all(sec >= 0 for _, sec in steps if sec is not None)


def test_plan_rows_and_progress_lines_for_real_stacks(tmp_path: Path) -> None:
    terraform_or_skip()
    from mlops_tools.plan_command import format_rows, plan_stacks_offline

    stacks = [tiny_stack(tmp_path, "a"), tiny_stack(tmp_path, "b")]
    (stacks[1] / "cdk.tf.json").write_text(json.dumps({"resource": {"nope_thing": {"x": {}}}}))
    err = io.StringIO()
    progress = Progress(["a", "b"], stream=err, color=False, heartbeat=0)
    rows = plan_stacks_offline(stacks, tmp_path / "plans", progress)
    assert [(r.stack, r.ok) for r in rows] == [("a", True), ("b", False)]
    assert (tmp_path / "plans" / "a.txt").is_file() and (tmp_path / "plans" / "b.txt").read_text().strip()
    lines = err.getvalue().splitlines()
    assert any(line.startswith("[1/2] a: ok in ") for line in lines), lines
    assert any(line.startswith("[2/2] b: FAILED in ") for line in lines), lines
    assert sum(" ok in " in line or "FAILED in" in line for line in lines) == 2
    table = format_rows(rows, root=tmp_path).splitlines()
    assert table[2].split()[:2] == ["a", "ok"] and table[3].split()[:2] == ["b", "FAILED"]
    assert table[-1] == "2 stack(s): 1 planned, 1 failed"
