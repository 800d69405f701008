"""Format name -> reporter class, for built-ins and plugins (``jobguard_reporters`` hook).

Built-in formats are imported only when used (``jobguard check`` must start fast); installed plugins are consulted
only for a name that is not built in, or when the full list is asked for (``--help``-style listings, errors).
"""

from __future__ import annotations

import importlib
from typing import Any

from jobguard.plugins import get_plugin_manager
from jobguard.report.base import Reporter

BUILTIN_FORMATS: dict[str, str] = {
    "text": "jobguard.report.text:TextReporter",
    "json": "jobguard.report.json:JsonReporter",
    "sarif": "jobguard.report.sarif:SarifReporter",
    "junit": "jobguard.report.junit:JunitReporter",
    "github": "jobguard.report.github:GithubReporter",
    "markdown": "jobguard.report.markdown:MarkdownReporter",
}


class UnknownFormatError(ValueError):
    """``--format``/``--output`` named a format that neither jobguard nor an installed plugin provides."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown format {name!r} (available: {', '.join(known)})")
        self.name = name
        self.known = known


def default_plugin_manager() -> Any:
    """The process-wide plugin manager (shared with the engine, see :mod:`jobguard.plugins`)."""
    return get_plugin_manager()


def plugin_formats(plugin_manager: Any = None) -> dict[str, type[Reporter]]:
    """Formats contributed by plugins. A plugin may not replace a built-in format (that would be a surprise)."""
    pm = plugin_manager if plugin_manager is not None else default_plugin_manager()
    found: dict[str, type[Reporter]] = {}
    for mapping in pm.hook.jobguard_reporters():
        for name, cls in dict(mapping or {}).items():
            if name in BUILTIN_FORMATS:
                continue
            if not (isinstance(cls, type) and issubclass(cls, Reporter)):
                raise TypeError(f"plugin format {name!r} is not a jobguard.report.base.Reporter subclass")
            found[name] = cls
    return found


def available_formats(plugin_manager: Any = None, include_plugins: bool = True) -> list[str]:
    names = list(BUILTIN_FORMATS)
    if include_plugins:
        names += sorted(set(plugin_formats(plugin_manager)) - set(names))
    return names


def get_reporter_class(name: str, plugin_manager: Any = None) -> type[Reporter]:
    if name in BUILTIN_FORMATS:
        module, attr = BUILTIN_FORMATS[name].split(":")
        return getattr(importlib.import_module(module), attr)
    plugins = plugin_formats(plugin_manager)
    if name in plugins:
        return plugins[name]
    raise UnknownFormatError(name, list(BUILTIN_FORMATS) + sorted(plugins))


def get_reporter(name: str, color: bool = False, quiet: bool = False, plugin_manager: Any = None,
                 verbose: bool = False) -> Reporter:
    """An instance of the reporter for ``name``; raises :class:`UnknownFormatError`. ``verbose`` is set as an
    attribute, not passed to the constructor, so plugin formats written before it existed keep working."""
    reporter = get_reporter_class(name, plugin_manager)(color=color, quiet=quiet)
    reporter.verbose = verbose
    return reporter
