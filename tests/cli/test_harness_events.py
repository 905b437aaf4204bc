"""The offline harness reports each terraform step through on_event (the Progress callback)."""

from __future__ import annotations

import json
from pathlib import Path

from support import terraform_or_skip


def test_verify_stack_reports_start_and_end_of_every_step(tmp_path: Path) -> None:
    terraform_or_skip()
    from mlops_tools.offline.harness import verify_stack

    stack = tmp_path / "stacks" / "tiny"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps({"terraform": {}, "output": {"x": {"value": "1"}}}))
    events: list[tuple[str, str, float | None]] = []
    result = verify_stack(stack, on_event=lambda *event: events.append(event))
    assert result.ok, result.failure_text()
    steps = ["init", "validate", "plan", "show"]
    assert [(s, p) for s, p, _ in events] == [("tiny", step) for step in steps for _ in (0, 1)]
    assert [sec is None for _, _, sec in events] == [True, False] * len(steps)
    assert all(sec >= 0 for _, _, sec in events if sec is not None)
