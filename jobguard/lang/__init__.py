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
"""
