r"""The HCL2 function library of Nomad's jobspec parser (``jobspec2/functions.go``), in Python.

Value model (the contract with the expression evaluator): null -> ``None``, bool -> ``bool``, number -> ``int`` when
integral else ``float``, string -> ``str``, list/tuple/set -> ``list`` (a set: unique elements in cty's set order),
map/object -> ``dict``. Functions may return :class:`~jobguard.jobspec.functions.types.CtyList`,
:class:`~jobguard.jobspec.functions.types.CtySet` or :class:`~jobguard.jobspec.functions.types.CtyMap` -- plain
``list``/``dict`` subclasses that remember cty's collection kind (some functions accept maps but not objects, lists
but not sets...). Treat them as ``list``/``dict``; passing them on unchanged keeps later calls exact.

Calling::

    from jobguard.jobspec.functions import call_function, FunctionError, ArgumentError

    call_function("upper", ["abc"])                     # -> "ABC"
    call_function("concat", [["a"], [["b"], ["c"]]], expand_last=True)   # concat(["a"], [["b"],["c"]]...)

Errors (see :mod:`errors`): :class:`ArgumentError` (summary, detail, ``arg_index``), :class:`FunctionError`
(``message`` = what Nomad prints after ``Call to function "NAME" failed: ``; ``detail`` adds both), and
:class:`UnknownFunctionError` (with HCL's "Did you mean" hint).

Lazy functions: for names in :data:`LAZY_FUNCTIONS` (``can``, ``try``) pass every argument as a zero-argument
callable that evaluates the argument expression (returning its value or raising); see :mod:`lazy`.
Type-expression arguments: for ``(name, index)`` in :data:`TYPE_ARGUMENTS` (``convert``'s second argument) pass the
type object built with :func:`types.type_from_name` instead of evaluating the expression.

Fidelity notes (where this is knowingly not bit-for-bit Go):

* numbers are Python ``int``/``float``; cty keeps 512-bit floats, so a non-integral result of arithmetic prints
  with float64's shortest digits (``1/3`` -> ``0.3333333333333333``);
* Nomad's ``reverse`` is cty's *string* reverse (like ``strrev``), ``index`` is cty's element lookup
  (``index(list, 1)``), ``replace`` is literal (no ``/regex/`` form), ``lookup`` requires its default and
  ``coalesce`` skips only nulls (``coalesce("", "x")`` is ``""``) -- all as in Nomad, not as in Terraform;
* regular expressions run on Python's ``re`` after translating RE2 syntax; Unicode classes (``\pL``) and error
  texts for unusual syntax errors may differ;
* ``yamldecode`` parses with PyYAML (YAML 1.1 scalars resolved like go-cty-yaml); its syntax-error wording is
  PyYAML's, positioned like go-cty-yaml;
* grapheme clusters follow the common Unicode segmentation rules, not every Unicode 15 edge case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobguard.jobspec.functions import (  # noqa: F401 - importing registers the functions
    arithmetic,
    cidr,
    collections,
    crypto,
    datetime_funcs,
    encoding,
    filesystem,
    formatting,
    lazy,
    strings,
)
from jobguard.jobspec.functions.errors import (
    ArgumentError,
    ConversionError,
    FunctionError,
    HclFunctionError,
    TypeSpecError,
    UnknownFunctionError,
)
from jobguard.jobspec.functions.spec import REGISTRY, HclFunction
from jobguard.suggest import nearest

__all__ = [
    "FUNCTIONS", "LAZY_FUNCTIONS", "TYPE_ARGUMENTS", "call_function", "ArgumentError", "ConversionError",
    "FunctionError", "HclFunctionError", "TypeSpecError", "UnknownFunctionError", "HclFunction",
]

#: Nomad's jobspec2 function table: name -> callable taking the (evaluated) arguments positionally.
FUNCTIONS: dict[str, Callable[..., Any]] = dict(sorted(REGISTRY.items()))

#: Functions whose arguments are passed as zero-argument callables (thunks), not values.
LAZY_FUNCTIONS: frozenset[str] = frozenset(name for name, fn in REGISTRY.items() if fn.lazy)

#: (function name, argument index) pairs whose argument is a type expression, passed as a built type object.
TYPE_ARGUMENTS: frozenset[tuple[str, int]] = frozenset({("convert", 1)})


def call_function(name: str, args: list[Any], *, expand_last: bool = False, base_dir: str | None = None,
                  filename: str | None = None) -> Any:
    """Call HCL function ``name`` like HCL's ``FunctionCallExpr`` does.

    ``expand_last`` is the ``...`` suffix on the last argument: it must be a list (tuple/list/set) whose elements
    become separate arguments. ``base_dir`` is where relative paths of the ``file*`` functions resolve (default:
    the current working directory, like Nomad's CLI). ``filename`` names the file being evaluated; ``try`` uses it
    in its "no expression succeeded" message for failures that carry a range but no file name.
    """
    fn = REGISTRY.get(name)
    if fn is None:
        suggestion = nearest(name, REGISTRY)
        hint = f' Did you mean "{suggestion}"?' if suggestion else ""
        raise UnknownFunctionError(f'There is no function named "{name}".{hint}')
    if expand_last:
        if not args:
            raise ArgumentError("Invalid expanding argument value",
                                "The expanding argument (indicated by ...) must be of a tuple, list, or set type.")
        last = args[-1]
        if last is None:
            raise ArgumentError("Invalid expanding argument value",
                                "The expanding argument (indicated by ...) must not be null.", len(args) - 1)
        if not isinstance(last, list):
            raise ArgumentError("Invalid expanding argument value",
                                "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                                len(args) - 1)
        args = list(args[:-1]) + list(last)
    if base_dir is None and filename is None:
        return fn.call(list(args))
    from jobguard.jobspec.functions.filesystem import BASE_DIR
    from jobguard.jobspec.functions.lazy import CURRENT_FILE

    base_token = BASE_DIR.set(base_dir) if base_dir is not None else None
    file_token = CURRENT_FILE.set(filename) if filename is not None else None
    try:
        return fn.call(list(args))
    finally:
        if base_token is not None:
            BASE_DIR.reset(base_token)
        if file_token is not None:
            CURRENT_FILE.reset(file_token)
