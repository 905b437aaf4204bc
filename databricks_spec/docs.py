"""Provider documentation references: how every message names its source.

Messages cite the Terraform provider's page (``resources/<page>.md`` of provider 1.99.0) and,
where there is one, the section, e.g. ``provider docs: job, 'task Configuration Block'``.
"""

from __future__ import annotations

#: The provider release the references (and the offline stand-in's schema) are written against.
PROVIDER_VERSION = "1.99.0"


def provider_doc(page: str, section: str | None = None) -> str:
    """``provider docs: <page>[, '<section>']``: the one spelling of a doc reference."""
    return f"provider docs: {page}" + (f", '{section}'" if section else "")


def databricks_doc(page: str, section: str | None = None) -> str:
    """``Databricks docs: <page>[, '<section>']``: a rule whose source is the Databricks
    documentation (an API limit, Unity Catalog naming, Auto Loader options), not a provider page."""
    return f"Databricks docs: {page}" + (f", '{section}'" if section else "")
