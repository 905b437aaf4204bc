"""The config layer: YAML in config/ -> validated, per-environment resolved models.

It is the only layer that knows file names and line numbers, so it owns every
user-facing error (``ConfigError``, exit code 2).
"""

from platform_config.environment import EnvironmentConfig, Principals
from platform_config.errors import ConfigError, Problem
from platform_config.loader import Platform, ProjectTarget, load_platform
from platform_config.project import ProjectConfig

__all__ = ["ConfigError", "EnvironmentConfig", "Platform", "Principals", "Problem",
           "ProjectConfig", "ProjectTarget", "load_platform"]
