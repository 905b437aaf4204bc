"""Fork PR comments: the base branch reviews plan JSON as data (`review --plans-dir`).

A fork controls every byte of its plan artifact. Whatever it puts in names, addresses,
principals, action reasons or Terraform output must reach the comment inert: no HTML, no
Markdown structure, no @-mention, no autolink, bounded in size.
"""

from __future__ import annotations

import json
import re

import pytest

from mlops_tools.cli import main
from mlops_tools.review import plan_review
from mlops_tools.review.safe import ZWSP, code, text

HOSTILE = ("<img src=x onerror=alert(1)> @acme/security-team please approve "
           "[click](https://evil.example/x) **bold** `tick` | cell </details> #1 www.evil.example")


def _rc(address: str, actions: list[str], before, after, **change) -> dict:
    rtype, name = address.split(".", 1)
    return {"address": address, "mode": "managed", "type": rtype, "name": name,
            "change": {"actions": actions, "before": before, "after": after, "after_unknown": {}, **change},
            "action_reason": "delete_because_no_resource_config" if actions == ["delete"] else HOSTILE}


def _hostile_plan() -> dict:
    changes = [
        _rc("databricks_job.x", ["update"], {"name": "a", "run_as": [{"user_name": "a@example.com"}]},
            {"name": HOSTILE, "run_as": [{"user_name": HOSTILE}]}),
        _rc("databricks_grants.g", ["update"], {"catalog": "c", "grant": []},
            {"catalog": "c", "grant": [{"principal": HOSTILE, "privileges": [HOSTILE]}]}),
        _rc("databricks_volume.v", ["delete", "create"], {"name": "v"}, {"name": HOSTILE},
            replace_paths=[[HOSTILE]]),
        _rc("databricks_schema.s", ["delete"], {"name": HOSTILE}, None),
        _rc(f"databricks_schema.{HOSTILE}", ["create"], None, {"name": "y"}),
    ]
    return {"format_version": "1.2", "resource_changes": changes, "planned_values": {}}


@pytest.fixture
def rendered(tmp_path, capsys) -> str:
    data = tmp_path / "data"
    data.mkdir()
    (data / "prod.json").write_text(json.dumps(_hostile_plan()))
    (data / "staging.error.txt").write_text(f"Error: {HOSTILE}\n```\n{HOSTILE}\n````\n@acme/admins")
    out = tmp_path / "review.md"
    code_ = main(["review", "--plans-dir", str(data), "--title", "Offline change review (fork pull request)",
                  "--max-chars", "60000", "-o", str(out)])
    assert code_ == plan_review.EXIT_FAILED  # staging failed; prod's data loss is counted too
    capsys.readouterr()
    return out.read_text()


def _outside_code(markdown: str) -> str:
    """The Markdown with code spans and fenced blocks removed: what GitHub would interpret."""
    no_fences = re.sub(r"(`{3,})text\n.*?\n\1(?!`)", "", markdown, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", no_fences)


def test_no_html_mentions_links_or_markdown_escape_from_plan_data(rendered):
    live = _outside_code(rendered)
    assert "<img" not in live and "onerror" not in live.replace("&lt;img src=x onerror", "")
    assert not re.search(r"@(?!\u200b)[A-Za-z]", live), "an @-mention would notify someone"
    assert "](https://" not in live and "https://evil" not in live and "www.evil" not in live
    assert "**bold**" not in live
    assert live.count("</details>") == live.count("<details>")  # only the review's own


def test_hostile_values_are_still_shown_as_data(rendered):
    assert "databricks_job.x" in rendered and "now runs as user" in rendered
    assert "`<img src=x onerror=alert(1)> @acme/security-team" in rendered  # inert inside a code span
    assert "1 failed (`staging`)" in rendered.splitlines()[2]


def test_every_table_row_keeps_its_columns(rendered):
    rows = [line for line in rendered.splitlines() if line.startswith("| ") and "databricks_" in line]
    assert rows
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6, row  # 5 cells: no injected `|`


def test_terraform_output_cannot_close_its_fence(rendered):
    fences = re.findall(r"^(`{3,})text$", rendered, flags=re.M)
    assert fences and all(len(f) > 4 for f in fences)  # longer than the ```` run inside


def test_stack_names_must_be_plain(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a b@c.json").write_text(json.dumps(_hostile_plan()))
    assert main(["review", "--plans-dir", str(data)]) == plan_review.EXIT_BAD_INPUT
    assert "is not a stack name" in capsys.readouterr().err


def test_size_limits(tmp_path, capsys, monkeypatch):
    many = {"format_version": "1.2", "planned_values": {}, "resource_changes": [
        _rc(f"databricks_schema.s{i}", ["create"], None, {"name": HOSTILE}) for i in range(2000)]}
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(many))
    out = tmp_path / "review.md"
    assert main(["review", str(path), "--max-chars", "60000", "-o", str(out)]) == 0
    assert len(out.read_text()) <= 60000
    monkeypatch.setattr(plan_review, "MAX_PLAN_BYTES", 1024)
    assert main(["review", str(path)]) == plan_review.EXIT_BAD_INPUT
    assert "larger than" in capsys.readouterr().err


def test_safe_helpers():
    assert code("a`b\nc|d") == "`aˋb c\\|d`"
    assert text("@team #12 <b> [x](y) https://e") == \
        f"@{ZWSP}team #{ZWSP}12 &lt;b&gt; \\[x\\]\\(y\\) https:{ZWSP}//e"
    assert len(code("x" * 500)) < 210
