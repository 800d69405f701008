"""The engine: run policies (jobguard.lang) and rules (pluggy) on a loaded job -> findings.

Public API used by every front (CLI ``check``, the GitHub Action, the ``serve`` proxy)::

    from jobguard.engine import Engine, EvalContext, ConfigError

    engine = Engine.load(config_path=None,          # None: nearest jobguard.hcl upwards from start_dir, or defaults
                         start_dir=".",
                         extra_policies=["policies/"],  # --policy PATH (files or directories of *.sentinel)
                         only=None, skip=None)          # --only / --skip: rule IDs or policy names
    result = engine.evaluate(loaded_job,              # jobguard.jobspec.LoadedJob
                             policy_override=False,   # --policy-override / PolicyOverride
                             context=EvalContext(existing_job=None, job_exists=False,
                                                 namespace="default", nomad_acl_token=None))
    result.findings   # list[jobguard.engine.findings.Finding], suppressed/overridden ones included
    result.errors     # list[jobguard.jobspec.Diagnostic]: policies that hit a runtime error (fail closed)
    result.blocking(fail_on="soft-mandatory") -> bool
    engine.fingerprint()  # stable hash of config, policy sources, rule set and jobguard version (cache keys)
    engine.config         # the parsed jobguard.hcl (engine.config.proxy: the `proxy { }` block as a dict)

``ConfigError`` carries diagnostics (file:line:col) for a broken jobguard.hcl, policy syntax errors or bad rule
params; the CLI maps it to exit 2.

Additions (compatible):

* ``result.blocking_findings(fail_on)`` -> the findings that fail the run; ``result.to_dict()``.
* ``result.errors`` also holds rules that crashed; any error makes ``blocking()`` True (fail closed).
* ``engine.evaluate(..., trace=False, today=None)``: ask policies for a trace; fix "today" for expiry (tests).
* ``engine.rules`` (``ActiveRule``: rule, enforcement_level, severity, params, non_waivable, plugin),
  ``engine.policies`` (``PolicySpec``), ``engine.registry`` (every installed rule, enabled or not),
  ``engine.load_args`` (the arguments of ``Engine.load``, to rebuild an equal engine in a worker process; an
  engine holds compiled policies and is not picklable).
* ``PluginError`` (a ConfigError): a plugin that fails to load or registers a duplicate rule ID.
* ``engine.config.profile``: the rule profile (``rules = "recommended" | "all" | "none"``, see
  :mod:`jobguard.engine.profiles`), already applied to ``engine.rules``; ``engine.config.audit``: the ``audit { }``
  block as a dict, or None (``jobguard audit`` and the watcher in ``jobguard serve``).
* Policy levels: a ``policy`` block without ``enforcement_level`` is advisory (Sentinel's default); a policy given
  only with ``--policy`` is hard-mandatory (it fails the run the way ``sentinel apply`` does).
"""

from __future__ import annotations

from typing import Any

from jobguard.engine.errors import ConfigError, PluginError

__all__ = ["ConfigError", "PluginError", "Engine", "EvalContext", "Result", "ActiveRule"]


def __getattr__(name: str) -> Any:
    # Lazy so that ``jobguard.engine.findings`` (imported by every reporter) stays cheap to import.
    if name in ("Engine", "EvalContext", "Result", "ActiveRule"):
        from jobguard.engine import engine

        return getattr(engine, name)
    raise AttributeError(name)
