"""jobguard's policy language: an open implementation of the Sentinel language as Nomad policies use it.

Modelled on Jinja2: lexer / parser / nodes / compiler / runtime / sandbox are separate modules; policies compile
to Python closures (or code) for speed; every error carries the policy file name and line.

Public API used by the engine::

    from jobguard.lang import compile_policy, PolicySyntaxError, UNDEFINED

    policy = compile_policy(source_text, name="restrict-images", filename="policies/restrict-images.sentinel")
    # -> raises PolicySyntaxError(diagnostics=[Diagnostic(file, line, col, message), ...]) with *all* errors
    policy.description   # the file's top comment
    policy.params        # declared params: name -> default (UNDEFINED when required)
    res = policy.evaluate(globals={"job": {...snake_case job...}, "existing_job": None, "job_exists": False,
                                   "namespace": "default", "nomad_acl_token": {...}},
                          params={"allowed": ["nginx"]},
                          imports={"name": factory_or_static_dict},   # extra imports from plugins / mocks
                          trace=False)
    res.result      # True / False / UNDEFINED (main's value)
    res.error       # None, or a PolicyRuntimeError(message, file, line, column)
    res.trace       # Sentinel-format trace text (when trace=True, or always on failure)
    res.prints      # captured print() output, list of str
    res.rules       # evaluated rule name -> value

Additions (compatible):

* ``policy.evaluate(..., limits=Limits(...), force_rules=("rule_a",))``: evaluation budget
  (:class:`jobguard.lang.sandbox.Limits`: steps, seconds, call depth, print bytes, integer bits, value size, work,
  memory growth) and rules to evaluate even when
  main did not need them (``jobguard test`` expectations).
* ``res.passed`` (no error and main is true); ``policy.imports`` (import names the policy uses);
  ``policy.name`` / ``policy.filename`` / ``policy.source``.
* ``res.trace`` of a failed evaluation is rendered on first access (the policy is re-run with the tracing
  backend), so callers that only need the verdict do not pay for it.
* Two backends: generated Python code (:mod:`jobguard.lang.codegen`, the fast path) and closures
  (:mod:`jobguard.lang.compiler`, the reference: exact error positions and traces). Errors always come from the
  reference backend. :mod:`jobguard.lang.formatter` (``jobguard fmt``) and :mod:`jobguard.lang.testing`
  (``jobguard test``) complete the toolchain.
"""

from jobguard.lang.errors import PolicyRuntimeError, PolicySyntaxError
from jobguard.lang.policy import EvalResult, Policy, compile_policy
from jobguard.lang.values import UNDEFINED, SentinelObject

__all__ = ["compile_policy", "Policy", "EvalResult", "PolicySyntaxError", "PolicyRuntimeError", "UNDEFINED",
           "SentinelObject"]
