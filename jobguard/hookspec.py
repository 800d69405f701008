"""Every jobguard plugin hook, declared and documented in one place (modelled on pytest's hookspec.py).

A plugin is any importable module or object registered under the ``jobguard`` entry-point group::

    [project.entry-points.jobguard]
    my-rules = "my_package.jobguard_plugin"

and implementing some of the hooks below with ``@jobguard.hookimpl``. jobguard's own built-in rules are loaded the
same way (``jobguard.rules``), so the built-ins are proof that the API is enough.
"""

from __future__ import annotations

import pluggy

PROJECT = "jobguard"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def jobguard_rules():
    """Return an iterable of :class:`jobguard.rules.base.Rule` instances this plugin provides.

    Rule IDs are global: two plugins registering the same ID is a configuration error reported at start-up.
    """


@hookspec
def jobguard_policy_imports():
    """Return a mapping ``import name -> factory`` for the policy language.

    The factory is called with no arguments once per evaluation and returns a
    :class:`jobguard.lang.values.SentinelObject` (or a plain dict of static data). Policies then use
    ``import "name"``. Built-in imports (strings, time, ...) cannot be replaced.
    """


@hookspec
def jobguard_reporters():
    """Return a mapping ``format name -> reporter class`` (subclasses of :class:`jobguard.report.base.Reporter`).

    The format becomes available to ``jobguard check --format NAME`` and ``--output NAME=PATH``.
    """
