"""Issue 18 item 2: the config load does each piece of work once. Every file is parsed once
(the shipped config entirely on the event-stream fast path), and a project whose environments
merge to identical documents is validated once, with the same result as validating each."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from support import EXAMPLE_CONFIG
from platform_config import ConfigError, loader, yaml_source
from platform_config.project import ProjectConfig
from resolution.checks import load_checked


def test_every_file_is_parsed_once_on_the_fast_path(monkeypatch) -> None:
    parsed: list[str] = []
    plain = yaml_source.load_plain

    def counting(text: str, display: str):
        parsed.append(display)
        return plain(text, display)

    def refuse(text: str, display: str):
        raise AssertionError(f"{display} took the general path")

    monkeypatch.setattr(yaml_source, "load_plain", counting)
    monkeypatch.setattr(yaml_source, "load_composed", refuse)
    load_checked(EXAMPLE_CONFIG)
    files = sorted(EXAMPLE_CONFIG.rglob("*.yaml"))
    assert len(parsed) == len(files) == len(set(parsed))


#: One override, the same for every environment (prod and staging require a run_as).
SAME = "{jobs: {run_as: job_runners}, pipelines: {ingest: {run_as: job_runners}}}"


def _same_overrides(tmp_path: Path, override: str = SAME) -> Path:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    project = config / "projects" / "churn.yaml"
    text = project.read_text()
    project.write_text(text[:text.index("\nenvironments:\n")] + "\nenvironments:\n" +
                       "".join(f"  {env}: {override}\n" for env in ("dev", "staging", "prod")))
    return config


def test_identical_merged_documents_are_validated_once(tmp_path: Path, monkeypatch) -> None:
    config = _same_overrides(tmp_path)
    calls: list[dict] = []
    validate = ProjectConfig.model_validate

    def counting(data, *args, **kwargs):
        calls.append(data)
        return validate(data, *args, **kwargs)

    monkeypatch.setattr(ProjectConfig, "model_validate", counting)
    platform = load_checked(config)
    assert len(calls) == 1
    targets = [t for ts in platform.targets.values() for t in ts if t.project.name == "churn"]
    assert len(targets) == len(platform.environments) == 3
    assert all(t.project == validate(calls[0]) for t in targets)
    assert {t.env.name for t in targets} == set(platform.environments)


def test_overrides_that_differ_only_in_type_are_validated_apart(tmp_path: Path, monkeypatch) -> None:
    """1, 1.0 and true are equal in Python but are different YAML: not one document."""
    config = _same_overrides(tmp_path)
    project = config / "projects" / "churn.yaml"
    text = project.read_text()
    for env, value in (("staging", "1.0"), ("prod", "true")):
        text = text.replace(f"  {env}: {{jobs: {{", f"  {env}: {{jobs: {{max_retries: {value}, ")
    project.write_text(text.replace("  dev: {jobs: {", "  dev: {jobs: {max_retries: 1, "))
    calls: list[dict] = []
    validate = ProjectConfig.model_validate
    monkeypatch.setattr(ProjectConfig, "model_validate", lambda data, *a, **k: calls.append(data) or validate(data, *a, **k))
    try:
        load_checked(config)
    except ConfigError:
        pass  # whichever the models refuse: what matters is that each was validated
    assert len(calls) == 3


def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    assert gc.isenabled()
    load_checked(EXAMPLE_CONFIG)
    assert gc.isenabled()
    gc.disable()
    try:
        load_checked(EXAMPLE_CONFIG)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ConfigError):
        loader.load_platform(tmp_path / "missing")
    assert gc.isenabled()
