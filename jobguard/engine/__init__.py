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
"""
