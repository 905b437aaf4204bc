"""The config layer: YAML in config/ -> validated, per-environment resolved models.

It is the only layer that knows file names and line numbers, so it owns every
user-facing error (``ConfigError``, exit code 2).
"""

from platform_config.environment import EnvironmentConfig, PrincipalsConfig
from platform_config.errors import ConfigError, Problem
from platform_config.loader import Platform, ProjectTarget, load_platform
from platform_config.project import ProjectConfig

__all__ = ["ConfigError", "EnvironmentConfig", "Platform", "PrincipalsConfig", "Problem",
           "ProjectConfig", "ProjectTarget", "load_platform"]
