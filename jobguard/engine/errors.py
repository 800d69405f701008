"""Errors of the engine's inputs: the configuration file, policies, plugins.

They carry :class:`~jobguard.jobspec.errors.Diagnostic` objects (``FILE:LINE:COL: summary; detail``) like job
errors do, so every front prints them the same way; the CLI maps them to exit code 2.
"""

from __future__ import annotations

# Defined in the leaf module :mod:`jobguard.contract` (the plugin manager raises them too); re-exported here.
from jobguard.contract import ConfigError, PluginError

__all__ = ["ConfigError", "PluginError"]


