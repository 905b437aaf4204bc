"""Compose one project's Unity Catalog data units: schemas, volumes, table/function grants.

The same concept as ``platform_config.governance`` (its config), seen from the stacks.

Called by ProjectUnits; every child id derives from a config key (schema_<key>,
volume_<key>, table_grants_<name>, function_grants_<name>), never a list position.
Names, grants and protection come resolved (resolution.project).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from constructs import Construct

from mlops_constructs.grants import UcGrants, UcGrantsProps
from mlops_constructs.principal import address_id
from mlops_constructs.schema import UcSchema, UcSchemaProps
from mlops_constructs.volume import UcVolume, UcVolumeProps
from resolution import ResolvedProject, SchemaRef
from stacks.located import configured_at
from stacks.refs import StackRefs


@dataclass
class DataUnits:
    """What add_data_units created, for the units that reference them."""

    schemas: dict[str, UcSchema] = field(default_factory=dict)
    volumes: dict[str, UcVolume] = field(default_factory=dict)
    object_grants: dict[str, UcGrants] = field(default_factory=dict)

    def schema_name(self, ref: SchemaRef) -> str:
        """A token referencing the project schema ``ref`` names (Terraform creates it first),
        else the resolved name."""
        return self.schemas[ref.key].name if ref.key in self.schemas else ref.name

    def schema_full_name(self, ref: SchemaRef, literal: str) -> str:
        """'<catalog>.<schema>': a token for a project schema, else ``literal``."""
        return self.schemas[ref.key].full_name if ref.key in self.schemas else literal


def add_data_units(units: Construct, project: ResolvedProject, refs: StackRefs) -> DataUnits:
    """Create the project's schemas, volumes and object grants as children of ``units``."""
    p = refs.principals
    deployer = p.deployer(project.deployer)
    catalog = refs.catalog_name
    out = DataUnits()
    for key, s in project.schemas.items():
        with configured_at(project, ("schemas", key)):
            out.schemas[key] = UcSchema(units, f"schema_{key}", UcSchemaProps(
                catalog_name=catalog, name=s.name, comment=s.comment, owner=p.owner(s.owner),
                storage_root=s.storage_root, properties=dict(s.properties), prevent_destroy=s.prevent_destroy,
                force_destroy=s.force_destroy, grants=p.grants(s.grants), grant_mode=s.grant_mode,
                deployer=deployer))
    for key, v in project.volumes.items():
        with configured_at(project, ("volumes", key)):
            out.volumes[key] = UcVolume(units, f"volume_{key}", UcVolumeProps(
                catalog_name=catalog, schema_name=out.schemas[v.schema_key].name, name=v.name,
                volume_type=v.volume_type, storage_location=v.storage_location, comment=v.comment,  # type: ignore[arg-type]
                owner=p.owner(v.owner), prevent_destroy=v.prevent_destroy,
                grants=p.grants(v.grants), grant_mode=v.grant_mode, deployer=deployer))
    for g in project.object_grants:
        full = (f"{out.schemas[g.schema_key].full_name}.{g.object_name}" if g.schema_key else g.full_name)
        with configured_at(project, ("grants", f"{g.securable_type}s", g.config_name)):
            out.object_grants[f"{g.securable_type}:{g.config_name}"] = UcGrants(
                units, f"{g.securable_type}_grants_{address_id(g.config_name)}", UcGrantsProps(
                    securable_type=g.securable_type, securable_name=full, privileges=p.grants(g.grants),
                    mode=g.grant_mode, deployer=deployer))
    return out
