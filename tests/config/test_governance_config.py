"""Governance config: every rule a user can break is reported as file:line key: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_config import ConfigError, load_platform
from platform_config.governance import EnvironmentProtectionConfig, prevent_destroy, ProtectionConfig


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once; return the 1-based line where ``new`` starts."""
    text = path.read_text()
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text)
    return text[: text.index(new)].count("\n") + 1


def _problems(config: Path, only: str = ""):
    """The problems reported, optionally only those in files whose path contains ``only``
    (a broken environment file also makes project overrides for it unknown: a follow-on)."""
    with pytest.raises(ConfigError) as exc:
        load_platform(config)
    return [p for p in exc.value.problems if only in p.file]


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_example_loads_with_governance(config_copy):
    platform = load_platform(config_copy)
    prod = platform.environments["prod"]
    assert prod.protection.prevent_destroy is True
    assert platform.environments["dev"].protection.prevent_destroy is False
    assert prod.deployer.service_principal == "deployer"
    assert set(platform.targets["prod"][0].project.schemas) == {"features", "models", "inference", "monitoring"}


def test_invalid_catalog_privilege_names_file_line_and_allowed(config_copy):
    env = config_copy / "environments" / "staging.yaml"
    _edit(env, "    readers: [USE_CATALOG]\n", "    readers: [USE_CATALOG, READ_VOLUMES]\n")
    (p,) = _problems(config_copy, "environments/")
    assert p.file.endswith("environments/staging.yaml") and p.line == _line_of(env, "READ_VOLUMES")
    assert p.key == "catalog.grants.readers[1]"
    assert "READ_VOLUMES not valid on a catalog" in p.message and "USE_CATALOG" in p.message
    assert "Catalog grants" in p.message


def test_invalid_volume_privilege_in_project(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "      data_scientists: [READ_VOLUME]\n", "      data_scientists: [SELECT]\n")
    problems = _problems(config_copy)
    assert {p.key for p in problems} == {"volumes.raw_extracts.grants.data_scientists[0]"}
    p = problems[0]
    assert p.file.endswith("projects/churn.yaml") and p.line == _line_of(proj, "data_scientists: [SELECT]")
    assert "SELECT not valid on a volume; valid on a volume: ALL_PRIVILEGES, APPLY_TAG, MANAGE, READ_VOLUME, " \
           "WRITE_VOLUME" in p.message


def test_create_model_is_accepted_on_schemas(config_copy):
    load_platform(config_copy)  # the example grants CREATE_MODEL on the models schema


def test_table_and_function_privileges_are_validated(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "volumes:\n", "grants:\n  tables:\n    inference.predictions:\n      readers: [SELECT, EXECUTE]\n"
                              "  functions:\n    features.score:\n      readers: [SELECT]\nvolumes:\n")
    problems = {p.key: p for p in _problems(config_copy)}
    assert set(problems) == {"grants.tables.inference.predictions.readers[1]",
                             "grants.functions.features.score.readers[0]"}
    assert "EXECUTE not valid on a table" in problems["grants.tables.inference.predictions.readers[1]"].message
    assert "valid on a function: ALL_PRIVILEGES, EXECUTE, MANAGE" in \
        problems["grants.functions.features.score.readers[0]"].message


def test_table_grants_name_a_project_schema(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "volumes:\n", "grants:\n  tables:\n    nowhere.t:\n      readers: [SELECT]\nvolumes:\n")
    (p,) = _problems(config_copy)
    assert p.key == "grants.tables.nowhere.t" and "unknown schema 'nowhere'" in p.message
    assert p.line == _line_of(proj, "nowhere.t:")


def test_override_needs_a_reason(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "          reason: staging monitoring tables are recomputed from inference logs on every release\n", "")
    (p,) = _problems(config_copy)
    assert p.file.endswith("projects/churn.yaml") and p.key == "schemas.monitoring.protection.reason"
    assert p.message == "required key is missing"
    assert p.line == _line_of(proj, "prevent_destroy: false") - 1  # the protection mapping missing it


def test_override_reason_cannot_be_blank(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "reason: staging monitoring tables are recomputed from inference logs on every release",
          "reason: '  '")
    (p,) = _problems(config_copy)
    assert p.key == "schemas.monitoring.protection.reason" and p.line == _line_of(proj, "reason: '  '")


def test_invalid_model_privilege_names_the_allowed_ones(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "    readers: [EXECUTE]\nexperiment:", "    readers: [EXECUTE, SELECT]\nexperiment:")
    (p,) = _problems(config_copy)
    assert p.key == "model.grants.readers[1]" and p.line == _line_of(proj, "readers: [EXECUTE, SELECT]")
    assert p.message == ("privilege SELECT not valid on a model; valid on a model: ALL_PRIVILEGES, APPLY_TAG, "
                         "EXECUTE, MANAGE (provider docs: grants, 'Registered model grants')")


def test_experiment_path_must_be_absolute(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "experiment:\n  permissions:", "experiment:\n  path: churn-experiment\n  permissions:")
    (p,) = _problems(config_copy)
    assert p.key == "experiment.path" and "absolute workspace path" in p.message


def test_protection_default_and_override():
    assert EnvironmentProtectionConfig().prevent_destroy is True  # safe when an environment says nothing
    off = ProtectionConfig(prevent_destroy=False, reason="rebuilt nightly")
    assert prevent_destroy(EnvironmentProtectionConfig(prevent_destroy=True), off) is False
    assert prevent_destroy(EnvironmentProtectionConfig(prevent_destroy=False), None) is False


def test_role_naming_an_unknown_service_principal(config_copy):
    env = config_copy / "environments" / "prod.yaml"
    _edit(env, "    service_principals: [jobs_runner]", "    service_principals: [job_runner]")
    (p,) = _problems(config_copy, "environments/")
    assert p.key == "roles.job_runners.service_principals[0]" and p.line == _line_of(env, "[job_runner]")
    assert "'job_runner' is neither an application id" in p.message and "deployer, jobs_runner" in p.message


def test_deployer_cannot_be_created_by_its_own_deploy(config_copy):
    env = config_copy / "environments" / "prod.yaml"
    _edit(env, "  deployer:                               # exists already (created by the platform team)\n",
          "  deployer:\n    create: true\n")
    (p,) = _problems(config_copy, "environments/")
    assert p.key == "deployer.service_principal" and "must exist before the first deploy" in p.message


def test_referenced_service_principal_needs_application_id(config_copy):
    env = config_copy / "environments" / "prod.yaml"
    _edit(env, "  jobs_runner:\n    application_id: 9e3f7a1b-5c2d-4e6f-b8a9-1c0d2e3f4a72\n",
          "  jobs_runner:\n    application_id: not-a-uuid\n")
    problems = _problems(config_copy, "environments/")
    assert any(p.key == "service_principals.jobs_runner.application_id" and "UUID" in p.message
               for p in problems)


def test_unknown_role_in_environment_grants_and_acls(config_copy):
    env = config_copy / "environments" / "dev.yaml"
    _edit(env, "      data_scientists: READ\n", "      auditors: READ\n")
    (p,) = _problems(config_copy, "environments/")
    assert p.key == "secret_scopes.mlops.acls.auditors" and "unknown role 'auditors'" in p.message
    assert p.line == _line_of(env, "auditors: READ")


def test_volume_in_unknown_schema_and_missing_models_schema(config_copy):
    proj = config_copy / "projects" / "churn.yaml"
    _edit(proj, "    schema: features\n    comment: Raw CRM", "    schema: feature\n    comment: Raw CRM")
    _edit(proj, "  models:\n    comment: Registered churn models\n", "  registry:\n    comment: Registered churn models\n")
    problems = {p.key: p.message for p in _problems(config_copy)}
    assert "unknown schema 'feature'" in problems["volumes.raw_extracts.schema"]
    assert "declare schemas.models or set model.schema" in problems["schemas"]


def test_secret_scope_acl_level_and_workspace_permission_level(config_copy):
    env = config_copy / "environments" / "staging.yaml"
    _edit(env, "      ml_engineers: READ\n", "      ml_engineers: OWNER\n")
    _edit(env, "        readers: CAN_USE\n", "        readers: CAN_QUERY\n")
    problems = {p.key: p.message for p in _problems(config_copy, "environments/")}
    assert "READ" in problems["secret_scopes.mlops.acls.ml_engineers"]
    assert "valid: CAN_VIEW, CAN_MONITOR, CAN_USE, CAN_MANAGE, IS_OWNER" in \
        problems["permissions.sql_warehouses.shared.access.readers"]


def test_referenced_catalog_rejects_created_only_settings(config_copy):
    env = config_copy / "environments" / "prod.yaml"
    _edit(env, "  create: true\n", "  create: false\n")
    (p,) = _problems(config_copy, "environments/")
    assert p.key == "catalog.comment" and "only applies to a catalog this platform creates" in p.message
