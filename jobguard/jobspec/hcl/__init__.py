"""Reading HCL2 job files as Nomad 2.0's ``jobspec2`` does, with a position for everything.

Modules, in the order a file flows through them:

* :mod:`.parser` -- python-hcl2's Lark parser plus the HCL rules it does not enforce, and HCL-worded syntax errors;
* :mod:`.syntax` -- parse tree -> bodies, blocks, attributes and expressions, every one with its range;
* :mod:`.jsonsyntax` -- the same bodies from HCL's JSON syntax (``{"job": {"web": {...}}}``), schema-aware;
* :mod:`.expressions`, :mod:`.templates`, :mod:`.values` -- HCL2 expression semantics over plain Python values;
* :mod:`.calls` -- function calls into Nomad's function library (:mod:`jobguard.jobspec.functions`);
* :mod:`.variables` -- ``variable``/``locals`` blocks, ``--var``, ``--var-file``, ``NOMAD_VAR_*``;
* :mod:`.decode` -- bodies -> api structs (:mod:`jobguard.jobspec.apimodel`), ``dynamic`` blocks, source map;
* :mod:`.jobfile` -- the whole file: top-level schema, job block, jobspec2's normalisation.

:func:`jobguard.jobspec.loader.load_text` is the entry point; nothing here needs to be imported directly.
"""
