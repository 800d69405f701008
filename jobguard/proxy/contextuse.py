"""Which request context an engine's policies read, so the proxy knows what it must fetch *before* evaluating.

The context of a job write includes the job Nomad holds now (``existing_job``, ``job_exists``), which costs a
``GET /v1/job/<id>`` upstream. When no policy reads those names, that read does not have to finish before
evaluation starts: the proxy still makes it (Nomad's refusal of it, e.g. a token that may not read the job, is
still relayed exactly as before) but overlaps it with the evaluation, which removes one upstream round trip
from the admission's critical path. The decision is the same either way, because nothing that reads the value
runs.

Only a policy's own code can see these globals: Sentinel modules are evaluated in a scope of their own (no
policy globals, see :mod:`jobguard.lang.modules`), Python rules get a :class:`~jobguard.contract.RuleContext`
(the job and its params, no request context) and plugin imports are given no globals. So a walk of each
policy's syntax tree for the *names* decides it. The answer is conservative: a policy whose tree cannot
be inspected counts as reading everything.
"""

from __future__ import annotations

import weakref
from typing import Any

from jobguard.lang import nodes as n

#: the globals filled from ``GET /v1/job/<id>``
EXISTING_JOB_NAMES = frozenset({"existing_job", "job_exists"})

_CACHE: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def names_read(module: n.Module) -> set[str]:
    """Every identifier a policy's syntax tree reads or binds (a superset of the globals it can see)."""
    found: set[str] = set()
    stack: list[n.Node] = [module]
    while stack:
        node = stack.pop()
        if type(node) is n.Name:
            found.add(node.name)
        stack.extend(n.children(node))
    return found


def policy_reads(spec: Any, names: frozenset[str]) -> bool:
    """Can the policy of ``spec`` (an :class:`~jobguard.engine.policies.PolicySpec`) read one of ``names``?
    True when its syntax tree is not available (conservative)."""
    module = getattr(getattr(spec, "compiled", None), "module", None)
    if not isinstance(module, n.Module):
        return True
    return not names_read(module).isdisjoint(names)


def needs_existing_job(engine: Any) -> bool:
    """Must the existing job be known before ``engine`` evaluates? (Cached per engine: engines are immutable
    once built and a reload builds a new one.) True for anything that is not an inspectable engine."""
    try:
        cached = _CACHE.get(engine)
    except TypeError:  # not weak-referenceable: decide without caching
        cached = None
    if cached is not None:
        return cached
    specs = getattr(engine, "policies", None)
    if not isinstance(specs, list):
        answer = True
    else:
        answer = any(policy_reads(spec, EXISTING_JOB_NAMES) for spec in specs)  # every policy evaluate() runs
    try:
        _CACHE[engine] = answer
    except TypeError:
        pass
    return answer
