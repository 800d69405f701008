"""jobguard: policy-as-code guardrails for HashiCorp Nomad job specifications.

The pipeline, one package per stage:

``jobspec``  load HCL2 / API JSON into Nomad's own job model (+ canonical form + source map)
``lang``     the Sentinel-compatible policy language
``rules``    built-in Python rules (plugins add more through :mod:`jobguard.hookspec`)
``engine``   runs policies and rules on a job: configuration, enforcement levels, suppressions -> findings
``report``   turns findings into text, json, sarif, junit, github and markdown
``cli``      the ``jobguard`` command; ``proxy`` the ``jobguard serve`` admission proxy
"""

__version__ = "0.1.0"
