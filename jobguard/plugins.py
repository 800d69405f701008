"""Plugin discovery: one pluggy PluginManager for the whole process, fed by the ``jobguard`` entry-point group.

jobguard's own rules are a plugin like any other (entry point ``builtin-rules = "jobguard.rules"``); they are also
registered directly when the entry point is missing (e.g. running from a source checkout that was never
installed), so a broken install never silently runs zero rules.

What plugins contribute is collected *per plugin* so that conflicts can name both sides: two plugins registering
the same rule ID (or policy import name) is a :class:`~jobguard.engine.errors.PluginError` at start-up, not a
silent last-one-wins.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Iterable

import pluggy

from jobguard import hookspec
from jobguard.contract import ENFORCEMENT_LEVELS, SEVERITIES, PluginError
from jobguard.jobspec.errors import Diagnostic

BUILTIN_RULES = "jobguard.rules"
ENGINE_RULES = "jobguard.engine.suppressions"
#: the plugin name the suppression rules are listed under (``jobguard rules``, a finding's "plugin"), kept from the
#: module they used to live in so that outputs and rule profiles stay the same
ENGINE_RULES_NAME = "jobguard.engine.meta_rules"
RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_manager: pluggy.PluginManager | None = None


@dataclass(frozen=True)
class RegisteredRule:
    """A rule instance and the plugin that provided it (``dist`` is "name version" for installed packages)."""

    rule: Any
    plugin: str
    dist: str = ""


def get_plugin_manager(refresh: bool = False) -> pluggy.PluginManager:
    """The process-wide plugin manager (``refresh=True`` re-scans entry points, e.g. after installing a plugin)."""
    global _manager
    if _manager is None or refresh:
        _manager = create_plugin_manager()
    return _manager


def create_plugin_manager(entry_points: bool = True, builtins: bool = True) -> pluggy.PluginManager:
    """A fresh manager with the hook specs, the installed plugins (``entry_points``), the built-in rule pack
    (``builtins``) and the engine's own suppression rules (always: the engine reports through them)."""
    pm = pluggy.PluginManager(hookspec.PROJECT)
    pm.add_hookspecs(hookspec)
    if entry_points:
        try:
            pm.load_setuptools_entrypoints(hookspec.PROJECT)
        except Exception as exc:  # an installed plugin that fails to import must not become a traceback
            raise PluginError(Diagnostic("<plugins>", 0, 0, "Cannot load a jobguard plugin",
                                         f"{type(exc).__name__}: {exc}")) from None
    for name in ((BUILTIN_RULES,) if builtins else ()) + (ENGINE_RULES,):
        try:
            module = importlib.import_module(name)
        except ImportError:  # the built-in rule pack is being written alongside; the engine still works without it
            continue
        if not pm.is_registered(module):
            pm.register(module, name=ENGINE_RULES_NAME if name == ENGINE_RULES else name)
    return pm


def _plugin_label(pm: pluggy.PluginManager, plugin: object) -> tuple[str, str]:
    name = pm.get_name(plugin) or repr(plugin)
    for dist_plugin, dist in pm.list_plugin_distinfo():
        if dist_plugin is plugin:
            return name, f"{dist.project_name} {dist.version}"
    return name, ""


def _per_plugin(pm: pluggy.PluginManager, hook_name: str) -> Iterable[tuple[str, str, Any]]:
    """(plugin name, distribution, hook result) for each implementation, in registration order."""
    caller = getattr(pm.hook, hook_name)
    for impl in caller.get_hookimpls():  # registration order (pluggy *calls* them in reverse)
        name, dist = _plugin_label(pm, impl.plugin)
        try:
            value = impl.function()
        except Exception as exc:
            raise PluginError(Diagnostic("<plugins>", 0, 0, f"Plugin {name!r} failed in {hook_name}()",
                                         f"{type(exc).__name__}: {exc}")) from None
        yield name, dist, value


def discover_rules(pm: pluggy.PluginManager | None = None) -> dict[str, RegisteredRule]:
    """Rule ID -> registered rule, in registration order. Invalid metadata or duplicate IDs raise PluginError."""
    pm = pm or get_plugin_manager()
    found: dict[str, RegisteredRule] = {}
    problems: list[Diagnostic] = []
    for plugin, dist, rules in _per_plugin(pm, "jobguard_rules"):
        for rule in rules or ():
            if isinstance(rule, type):
                rule = rule()
            problem = _check_rule_metadata(rule)
            if problem:
                problems.append(Diagnostic("<plugins>", 0, 0, f"Plugin {plugin!r}: invalid rule", problem))
                continue
            if rule.id in found:
                first = found[rule.id]
                if first.rule.__class__ is rule.__class__:
                    continue  # the same class reached through two registrations (e.g. editable installs)
                problems.append(Diagnostic("<plugins>", 0, 0, f"Duplicate rule ID {rule.id!r}",
                                           f"registered by plugin {first.plugin!r} and by plugin {plugin!r}"))
                continue
            found[rule.id] = RegisteredRule(rule, plugin, dist)
    if problems:
        raise PluginError(problems)
    return found


def _check_rule_metadata(rule: Any) -> str:
    rule_id = getattr(rule, "id", "")
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        return f"{type(rule).__name__}: rule ID {rule_id!r} is not kebab-case (e.g. 'no-privileged-containers')"
    if not callable(getattr(rule, "check", None)):
        return f"{rule_id}: has no check() method"
    if getattr(rule, "severity", None) not in SEVERITIES:
        return f"{rule_id}: severity {getattr(rule, 'severity', None)!r} is not one of {', '.join(SEVERITIES)}"
    if getattr(rule, "enforcement_level", None) not in ENFORCEMENT_LEVELS:
        return (f"{rule_id}: enforcement_level {getattr(rule, 'enforcement_level', None)!r} is not one of "
                + ", ".join(ENFORCEMENT_LEVELS))
    return ""


def discover_policy_imports(pm: pluggy.PluginManager | None = None) -> dict[str, Callable[[], Any] | dict]:
    """Import name -> factory (or static dict) from ``jobguard_policy_imports``; duplicates raise PluginError."""
    pm = pm or get_plugin_manager()
    found: dict[str, Any] = {}
    owners: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for plugin, _dist, mapping in _per_plugin(pm, "jobguard_policy_imports"):
        for name, factory in dict(mapping or {}).items():
            if name in found:
                problems.append(Diagnostic("<plugins>", 0, 0, f"Duplicate policy import {name!r}",
                                           f"provided by plugin {owners[name]!r} and by plugin {plugin!r}"))
                continue
            if not (callable(factory) or isinstance(factory, dict)):
                problems.append(Diagnostic("<plugins>", 0, 0, f"Plugin {plugin!r}: invalid policy import {name!r}",
                                           "expected a factory function or a dict"))
                continue
            found[name], owners[name] = factory, plugin
    if problems:
        raise PluginError(problems)
    return found


def plugin_versions(pm: pluggy.PluginManager | None = None) -> list[str]:
    """``name==version`` of every installed plugin distribution (part of the engine's cache fingerprint)."""
    pm = pm or get_plugin_manager()
    return sorted({f"{dist.project_name}=={dist.version}" for _plugin, dist in pm.list_plugin_distinfo()})
