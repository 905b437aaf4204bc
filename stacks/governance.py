"""Compose one project's Unity Catalog data units: schemas, volumes, table/function grants.

Called by ProjectUnits; every child id derives from a config key (schema_<key>,
volume_<key>, table_grants_<name>, function_grants_<name>), never a list position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from mlops_constructs.grants import UcGrants, UcGrantsProps
from mlops_constructs.principal import Principal, address_id
from mlops_constructs.schema import UcSchema, UcSchemaProps
from mlops_constructs.volume import UcVolume, UcVolumeProps
from platform_config import ProjectTarget
from platform_config.governance import project_schema_name, prevent_destroy
from stacks.platform import (catalog_name, deployer_principal, resolve_owner, role_map, union_grants)


@dataclass
class DataUnits:
    """What add_data_units created, for the units that reference them."""

    schemas: dict[str, UcSchema] = field(default_factory=dict)
    volumes: dict[str, UcVolume] = field(default_factory=dict)
    object_grants: dict[str, UcGrants] = field(default_factory=dict)


def grants_for(scope: Construct, target: ProjectTarget, grants: dict[str, list[str]]) -> dict[Principal, frozenset[str]]:
    """Role -> privileges resolved to principal -> privileges in the target's environment."""
    return union_grants(role_map(scope, target.env, target.roles, grants))


def add_data_units(units: Construct, target: ProjectTarget) -> DataUnits:
    """Create the project's schemas, volumes and object grants as children of ``units``."""
    env, project = target.env, target.project
    deployer = deployer_principal(env)
    catalog = catalog_name(units, env)
    out = DataUnits()
    for key, cfg in sorted(project.schemas.items()):
        out.schemas[key] = UcSchema(units, f"schema_{key}", UcSchemaProps(
            catalog_name=catalog, name=project_schema_name(project, key),
            comment=cfg.comment or f"{key} of {project.name}" + (f": {project.description}"
                                                                 if project.description else ""),
            owner=resolve_owner(units, env, cfg.owner), storage_root=cfg.storage_root,
            properties=dict(cfg.properties),
            prevent_destroy=prevent_destroy(env.protection, cfg.protection),
            grants=grants_for(units, target, cfg.grants), grant_mode=cfg.grant_mode, deployer=deployer))
    for key, cfg in sorted(project.volumes.items()):
        schema = out.schemas[cfg.schema_key]
        out.volumes[key] = UcVolume(units, f"volume_{key}", UcVolumeProps(
            catalog_name=catalog, schema_name=schema.name, name=cfg.name or key.replace("-", "_"),
            volume_type=cfg.volume_type, storage_location=cfg.storage_location, comment=cfg.comment,
            owner=resolve_owner(units, env, cfg.owner),
            prevent_destroy=prevent_destroy(env.protection, cfg.protection),
            grants=grants_for(units, target, cfg.grants), grant_mode=cfg.grant_mode, deployer=deployer))
    for section, stype in (("tables", "table"), ("functions", "function")):
        for name, grants in sorted(getattr(project.grants, section).items()):
            parts = name.split(".")
            full = (f"{out.schemas[parts[0]].full_name}.{parts[1]}" if len(parts) == 2 else name)
            out.object_grants[f"{stype}:{name}"] = UcGrants(units, f"{stype}_grants_{address_id(name)}", UcGrantsProps(
                securable_type=stype, securable_name=full, privileges=grants_for(units, target, grants),
                mode=project.grants.grant_mode, deployer=deployer))
    return out


def model_schema_ref(target: ProjectTarget, data: DataUnits) -> str:
    """The registered model's schema: a token referencing the project schema resource when the
    model lives in one (Terraform creates the schema first), else the configured name."""
    key = target.project.model.schema_name or "models"
    if key in data.schemas:
        return data.schemas[key].name
    return target.project.model.schema_name or key
