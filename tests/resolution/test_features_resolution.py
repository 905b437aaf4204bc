"""resolution.features on the shipped example and on edited copies (no jsii)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import EXAMPLE_CONFIG, edit_yaml
from platform_config import load_platform
from resolution import resolve_environment, resolve_project


@pytest.fixture(scope="module")
def resolved():
    platform = load_platform(EXAMPLE_CONFIG)
    out = {}
    for name, env in platform.environments.items():
        (target,) = platform.targets[name]
        out[name] = (resolve_environment(env, platform.targets[name]), resolve_project(target))
    return out


def test_store_names_per_environment(resolved) -> None:
    assert not resolved["dev"][0].online_stores
    staging, prod = resolved["staging"][0].online_stores["features"], resolved["prod"][0].online_stores["features"]
    assert (staging.instance_name, staging.catalog_name, staging.database_name) == (
        "staging-features-online", "mlops_staging_features_online", "features")
    assert (prod.instance_name, prod.catalog_name) == ("features-online", "mlops_prod_features_online")
    assert prod.prevent_destroy and staging.prevent_destroy
    assert prod.tags == {"environment": "prod", "managed_by": "cdktf", "tier": "online"}


def test_synced_tables_follow_the_environment(resolved) -> None:
    assert not resolved["dev"][1].features.synced  # online: false in dev
    staging = resolved["staging"][1].features.synced["customer_features"]
    prod = resolved["prod"][1].features.synced["customer_features"]
    assert staging.scheduling_policy == "TRIGGERED" and prod.scheduling_policy == "CONTINUOUS"
    assert prod.name == "mlops_prod_features_online.churn_features.customer_features"
    assert prod.source_table == "mlops_prod.churn_features.customer_features"
    assert (prod.primary_keys, prod.timeseries_key) == (("customer_id",), "snapshot_date")
    assert (prod.storage_catalog, prod.storage_schema, prod.storage_schema_key) == (
        "mlops_prod", "churn_features", "features")


def test_feature_table_unit_and_lookups(resolved) -> None:
    dev = resolved["dev"][1].features
    assert set(dev.tables) == {"customer_features"}  # usage_features declares no governance: left as is
    table = dev.tables["customer_features"]
    assert table.full_name == "mlops_dev.churn_features.customer_features" and table.grant_mode == "additive"
    assert table.tags["domain"] == "crm" and table.tags["project"] == "churn"
    assert resolved["prod"][1].features.lookups == {"churn": ("customer_features",)}
    assert resolved["staging"][1].features.lookups == {}
    assert resolved["prod"][1].features.reader is not None


def test_platform_keys_win_over_table_tags(tmp_path: Path) -> None:
    import shutil

    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    edit_yaml(config, "projects/churn.yaml", lambda d: d["jobs"]["feature_engineering"]["tables"]
              ["customer_features"]["tags"].update({"owner": "someone-else"}))
    platform = load_platform(config)
    (target,) = platform.targets["dev"]
    assert resolve_project(target).features.tables["customer_features"].tags["owner"] == "churn-team@example.com"


def test_store_protection_can_be_waived_with_a_reason(tmp_path: Path) -> None:
    import shutil

    config = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG, config)
    edit_yaml(config, "environments/staging.yaml", lambda d: d["online_stores"]["features"].update(
        {"protection": {"prevent_destroy": False, "reason": "staging store is rebuilt from Delta"}}))
    platform = load_platform(config)
    env = resolve_environment(platform.environments["staging"])
    assert env.online_stores["features"].prevent_destroy is False
    (target,) = platform.targets["staging"]
    assert resolve_project(target).features.synced["customer_features"].prevent_destroy is False
