"""Every jobguard plugin hook, declared and documented in one place (modelled on pytest's hookspec.py).

A plugin is any importable module or object registered under the ``jobguard`` entry-point group::

    [project.entry-points.jobguard]
    my-rules = "my_package.jobguard_plugin"

and implementing some of the hooks below with ``@jobguard.hookimpl``. jobguard's own built-in rules are loaded the
same way (``jobguard.rules``), so the built-ins are proof that the API is enough.

How plugins are found and combined (:mod:`jobguard.plugins`):

* ``jobguard.plugins.get_plugin_manager()`` is the process-wide ``pluggy.PluginManager``: the hook specs below, every
  ``jobguard`` entry point of every installed distribution, the built-in rule pack and the engine's own rules
  (``invalid-suppression``, ``expired-suppression``). A plugin that fails to import is a
  :class:`jobguard.engine.errors.PluginError` (exit 2), never a traceback.
* Contributions are collected per plugin, so conflicts name both sides: two plugins registering the same rule ID,
  or the same policy import name, is a ``PluginError`` at start-up.
* ``jobguard rules`` lists every rule with the plugin (and distribution version) that provides it; a plugin's
  distribution version is part of ``Engine.fingerprint()``, so upgrading a plugin invalidates the check cache.

A complete example plugin lives in ``tests/plugin_example`` (one rule, one policy import, its own pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pluggy

from jobguard.contract import Rule

#: What ``jobguard_policy_imports`` maps a name to: a factory called once per evaluation (returning a
#: ``jobguard.lang.values.SentinelObject`` or plain data), or static data itself.
PolicyImport = Callable[[], Any] | Mapping[str, Any]

PROJECT = "jobguard"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def jobguard_rules() -> Iterable[Rule | type[Rule]]:
    """Return an iterable of :class:`jobguard.rules.base.Rule` instances this plugin provides.

    :return: rule instances (or classes); an empty iterable or ``None`` contributes nothing.

    Called once per process, when the plugin manager first discovers rules (``Engine.load``, ``jobguard rules``);
    the results of every plugin are collected, not just the first one.

    Rule IDs are global: two plugins registering the same ID is a configuration error reported at start-up.

    Rule classes are accepted too (they are instantiated with no arguments). Each rule is checked when it is
    registered: a kebab-case ``id``, a ``severity`` from :data:`jobguard.engine.findings.SEVERITIES`, an
    ``enforcement_level`` from :data:`jobguard.engine.findings.ENFORCEMENT_LEVELS` and a callable ``check``.
    ``params_schema`` is a JSON Schema for the rule's ``params``; ``default_params`` merged with the
    ``rule "ID" { params = {...} }`` block of ``jobguard.hcl`` must satisfy it (errors point at the config file).
    The engine calls ``check(RuleContext)`` once per job; an exception from it is reported in ``Result.errors``
    and fails the run (fail closed) without stopping the other rules.
    """


@hookspec
def jobguard_policy_imports() -> Mapping[str, PolicyImport]:
    """Return a mapping ``import name -> factory`` for the policy language.

    :return: import name -> :data:`PolicyImport` (a factory, or static data).

    Called once per engine load; the engine keeps the factories and calls them per evaluation.

    The factory is called with no arguments once per evaluation and returns a
    :class:`jobguard.lang.values.SentinelObject` (or a plain dict of static data). Policies then use
    ``import "name"``. Built-in imports (strings, time, ...) cannot be replaced.

    A plain dict may be given instead of a factory for static data. Two plugins providing the same name is a
    ``PluginError`` at start-up.
    """


@hookspec
def jobguard_reporters() -> Mapping[str, type]:
    """Return a mapping ``format name -> reporter class`` (subclasses of :class:`jobguard.report.base.Reporter`).

    :return: format name -> reporter class (typed ``type`` here: the report package sits above this module).

    Called when a front resolves ``--format``/``--output`` names; a class is instantiated per run with
    ``(color, quiet)`` and its ``render(results)`` gets a :class:`jobguard.report.base.RunResult`.

    The format becomes available to ``jobguard check --format NAME`` and ``--output NAME=PATH``.
    """
