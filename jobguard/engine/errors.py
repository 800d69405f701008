"""Errors of the engine's inputs: the configuration file, policies, plugins.

They carry :class:`~jobguard.jobspec.errors.Diagnostic` objects (``FILE:LINE:COL: summary; detail``) like job
errors do, so every front prints them the same way; the CLI maps them to exit code 2.
"""

from __future__ import annotations

from jobguard.jobspec.errors import Diagnostic


class ConfigError(Exception):
    """A broken ``jobguard.hcl``, a policy that does not compile, bad rule params or a broken plugin.

    All problems found in one pass are reported together (like Nomad's own diagnostics).
    """

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class PluginError(ConfigError):
    """An installed plugin that cannot be loaded or registers something invalid (e.g. a duplicate rule ID)."""
