"""Every class of bad config: one message per problem naming file, line and key;
exit code 2; no traceback; the previous cdktf.out left untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from platform_config import ConfigError, load_platform

ROOT = Path(__file__).resolve().parents[2]
FAKE_PAT = "dapi" + "0123456789abcdef" * 2  # built at run time: no secret-looking literal in the repo


def problems_for(config: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_platform(config)
    return [str(p) for p in info.value.problems]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# (description, file, old text, new text, expected key, expected message fragment, line needle)
CASES = [
    ("invalid yaml", "projects/churn.yaml", "owner: churn-team@example.com",
     "owner: [churn-team@example.com", "", "invalid YAML", "cost_center:"),
    ("unknown key", "projects/churn.yaml", "cost_center: CC-4711",
     "cost_center: CC-4711\ncost_centre: CC-4711", "cost_centre", "unknown key (allowed:", "cost_centre"),
    ("wrong type", "environments/dev.yaml", "pause_schedules: true",
     "pause_schedules: sometimes", "pause_schedules", "valid boolean", "pause_schedules"),
    ("missing field", "environments/staging.yaml", "cloud: azure\n", "",
     "cloud", "required key is missing", None),
    ("bad enum", "environments/prod.yaml", "cloud: azure", "cloud: azur",
     "cloud", "'azur'", "cloud: azur"),
    ("unknown environment", "projects/churn.yaml", "  prod:\n", "  production:\n",
     "environments.production", "unknown environment 'production' (known: dev, prod, staging)", "production:"),
    ("unknown role", "projects/churn.yaml", "    readers: CAN_READ", "    reviewers: CAN_READ",
     "experiment.permissions.reviewers", "unknown role 'reviewers'", "reviewers: CAN_READ"),
    ("secret value", "environments/dev.yaml", "  profile: mlops-dev",
     f"  profile: {FAKE_PAT}", "workspace.profile", "Databricks personal access token", "profile:"),
    ("secret key", "environments/dev.yaml", "  profile: mlops-dev",
     "  profile: mlops-dev\n  token: abc123", "workspace.token", "literal secret", "token: abc123"),
    ("client secret", "environments/prod.yaml", "cloud: azure",
     "cloud: azure\nclient_secret: s3cr3t-value", "client_secret", "literal secret", "client_secret"),
    ("duplicate yaml key", "environments/dev.yaml", "cloud: azure", "cloud: azure\ncloud: aws",
     "cloud", "duplicate key", "cloud: aws"),
    ("environment name key", "environments/dev.yaml", "cloud: azure", "cloud: azure\nname: develop",
     "name", "comes from the file name", "name: develop"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_problem_names_file_line_and_key(config_copy: Path, case) -> None:
    _, rel, old, new, key, fragment, needle = case
    path = config_copy / rel
    replace(path, old, new)
    problems = problems_for(config_copy)
    matching = [p for p in problems if fragment in p]
    assert matching, problems
    message = matching[0]
    assert rel in message
    if key:
        assert f" {key}:" in message
    if needle:
        assert f"{rel}:{line_of(path, needle)} " in message


def test_override_error_points_at_the_override_line(config_copy: Path) -> None:
    path = config_copy / "projects/churn.yaml"
    replace(path, "        data_scientists: CAN_MANAGE", "        data_scientists: CAN_OWN")
    problems = problems_for(config_copy)
    expected = f"projects/churn.yaml:{line_of(path, 'CAN_OWN')} experiment.permissions.data_scientists:"
    assert any(expected in p for p in problems), problems


def test_duplicate_project_names_both_files(config_copy: Path) -> None:
    (config_copy / "projects/churn-copy.yaml").write_text((config_copy / "projects/churn.yaml").read_text())
    problems = problems_for(config_copy)
    assert [p for p in problems if "duplicate project 'churn', already defined in" in p
            and "churn.yaml" in p and "churn-copy.yaml" in p], problems


def test_all_problems_reported_in_one_pass(config_copy: Path) -> None:
    replace(config_copy / "environments/dev.yaml", "pause_schedules: true", "pause_schedules: maybe")
    replace(config_copy / "projects/churn.yaml", "cost_center: CC-4711", "cost_centre: CC-4711")
    problems = problems_for(config_copy)
    assert any("pause_schedules" in p for p in problems)
    assert any("cost_centre" in p for p in problems)


def run_synth(cwd: Path, outdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", "config",
                           "--outdir", str(outdir)], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_cli_exits_2_without_traceback_and_keeps_previous_output(tmp_path: Path, config_copy: Path,
                                                                 case) -> None:
    _, rel, old, new, key, fragment, _ = case
    replace(config_copy / rel, old, new)
    outdir = tmp_path / "cdktf.out"
    (outdir / "stacks" / "dev").mkdir(parents=True)
    sentinel = outdir / "stacks" / "dev" / "cdk.tf.json"
    sentinel.write_text('{"previous": true}')
    result = run_synth(tmp_path, outdir)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert f"error: config/{rel}" in result.stderr
    assert fragment in result.stderr
    assert "nothing was written" in result.stderr
    assert sentinel.read_text() == '{"previous": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdktf.out", "config"]
    assert FAKE_PAT not in result.stderr + result.stdout, "a detected secret must not be echoed"


def test_missing_config_directory(tmp_path: Path) -> None:
    result = run_synth(tmp_path, tmp_path / "cdktf.out")
    assert result.returncode == 2
    assert "config directory not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_environment_file_is_not_also_an_unknown_environment(config_copy: Path) -> None:
    replace(config_copy / "environments/prod.yaml", "cloud: azure", "cloud: azur")
    problems = problems_for(config_copy)
    assert any("prod.yaml" in p and " cloud:" in p for p in problems), problems
    assert not [p for p in problems if "unknown environment" in p], problems


def test_file_that_is_not_a_mapping(config_copy: Path) -> None:
    (config_copy / "projects/list.yaml").write_text("- just\n- a list\n")
    problems = problems_for(config_copy)
    assert any("projects/list.yaml:1 " in p and "must be a mapping" in p for p in problems), problems


def test_role_without_members_is_an_error(config_copy: Path) -> None:
    path = config_copy / "environments/dev.yaml"
    replace(path, "  readers:\n    groups: [analysts]", "  readers:\n    groups: []")
    problems = problems_for(config_copy)
    expected = f"environments/dev.yaml:{line_of(path, 'groups: []') - 1} roles.readers: "
    assert any(expected in p and "at least one of groups, users or service_principals" in p
               for p in problems), problems
