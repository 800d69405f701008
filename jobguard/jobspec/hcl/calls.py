"""Function calls from expressions: Nomad's function table (``jobguard.jobspec.functions``) with HCL's diagnostics.

The library evaluates plain values; this module adds what only the evaluator knows: argument ranges for error
positions, lazy arguments for ``can``/``try`` (thunks that evaluate one argument expression), the type expression
argument of ``convert``, and where file functions resolve relative paths (the loader's ``cwd``).
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from jobguard.jobspec.hcl.diagnostics import HCLError, Range
from jobguard.jobspec.hcl.expressions import Call, Expr, Scope
from jobguard.jobspec.hcl.values import UNKNOWN, contains_unknown
from jobguard.jobspec.limits import LimitExceeded, check_deadline

Caller = Callable[[str, list, Call, Scope], Any]


def make_caller(base_dir: str | None = None, filename: str | None = None) -> Caller:
    """A function caller for :class:`Scope`: file functions resolve against ``base_dir`` (None: the cwd)."""

    def caller(name: str, args: list[Expr], node: Call, scope: Scope) -> Any:
        return call(name, args, node, scope, base_dir, filename)

    return caller


def call(name: str, args: list[Expr], node: Call, scope: Scope, base_dir: str | None = None,
         filename: str | None = None) -> Any:
    """Evaluate ``name(args...)`` in ``scope``; raises :class:`HCLError` the way HCL reports a failed call."""
    from jobguard.jobspec import functions
    from jobguard.jobspec.functions.errors import HclFunctionError

    arg_rngs: list[Range] = [a.rng for a in args]
    if name in functions.LAZY_FUNCTIONS:
        values: list[Any] = [_thunk(a, scope) for a in args]
    else:
        values = []
        for index, arg in enumerate(args):
            if (name, index) in functions.TYPE_ARGUMENTS:
                from jobguard.jobspec.hcl.variables import type_from_expr

                values.append(type_from_expr(arg))
            else:
                values.append(arg.eval(scope))
        if any(contains_unknown(v) for v in values):
            return UNKNOWN
        if node.expand and values and isinstance(values[-1], list):
            arg_rngs = arg_rngs[:-1] + [arg_rngs[-1]] * len(values[-1])
    try:
        check_deadline()
        return functions.call_function(name, values, expand_last=node.expand, base_dir=base_dir, filename=filename)
    except LimitExceeded as exc:  # not an HCL diagnostic: it ends the load, at this call
        exc.locate(node.name_rng, f'Call to function "{name}": ')
        raise
    except HclFunctionError as exc:
        index = getattr(exc, "arg_index", None)
        if index is not None and 0 <= index < len(arg_rngs):
            rng = arg_rngs[index]
        elif exc.summary in ("Error in function call", "Call to unknown function"):
            rng = node.name_rng
        else:
            rng = (node.rng[2], max(node.rng[3] - 1, 1), node.rng[2], node.rng[3])
        raise HCLError(exc.summary, exc.detail, rng) from None
    except HCLError:
        raise
    except RecursionError:
        raise
    except Exception as exc:  # noqa: BLE001 - a library bug must become a diagnostic, never a traceback
        raise HCLError("Error in function call", f'Call to function "{name}" failed: {exc}.', node.name_rng) from None


def _thunk(arg: Expr, scope: Scope) -> Callable[[], Any]:
    def evaluate() -> Any:
        value = arg.eval(scope)
        if value is UNKNOWN:
            raise HCLError("Unknown value", "The value is not known.", arg.rng)
        return value

    return evaluate
