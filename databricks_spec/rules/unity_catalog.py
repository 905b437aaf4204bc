"""Provider rules for Unity Catalog objects other than grants (provider docs: volume)."""

from __future__ import annotations

from databricks_spec.docs import provider_doc
from databricks_spec.enums import VolumeType, values
from databricks_spec.rules import Finding, allowed


def volume_storage(volume_type: str, storage_location: str | None) -> list[Finding]:
    """An EXTERNAL volume needs storage_location; a MANAGED one takes none."""
    doc = provider_doc("volume", "Argument Reference")
    out = [Finding(f.key, f.message, doc) for f in allowed("volume_type", volume_type, values(VolumeType))]
    if volume_type == "EXTERNAL" and not storage_location:
        out.append(Finding(("storage_location",), "an EXTERNAL volume needs storage_location", doc))
    if volume_type == "MANAGED" and storage_location:
        out.append(Finding(("storage_location",), "storage_location is only used for EXTERNAL volumes", doc))
    return out


def referenced_catalog(settings: dict[str, object]) -> list[Finding]:
    """A catalog the platform references (does not create) takes none of the settings that only
    a created catalog has; ``settings`` maps each such setting to its value. Key: the setting."""
    return [Finding((key,), f"{key} only applies to a catalog this platform creates (create: true); "
                            "this one is referenced", provider_doc("catalog", "Argument Reference"))
            for key, value in settings.items() if value]
