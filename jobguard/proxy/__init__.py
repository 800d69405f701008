"""``jobguard serve``: an admission proxy in front of the Nomad HTTP API.

Job submissions (register, plan, validate, scale, revert, dispatch) are checked with the same engine and
configuration as ``jobguard check``; everything else is relayed untouched. See ``docs/proxy.md``.
"""
