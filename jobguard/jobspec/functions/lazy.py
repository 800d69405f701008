"""``try`` and ``can`` (HCL ext/tryfunc) and ``convert`` (HCL ext/typeexpr).

``try``/``can`` need their arguments *unevaluated*: the evaluator passes zero-argument callables ("thunks") that
evaluate one argument expression and either return its value or raise. A thunk's exception describes why the
expression failed; anything with a ``diagnostics`` list (items having ``summary``, ``detail`` and optionally a
``subject`` range string or ``file``/``line``/``column``), or an :class:`HclFunctionError`, is rendered the way
HCL renders diagnostics in try's "no expression succeeded" message.

``convert`` takes a *type expression* as its second argument: the evaluator builds it with
:func:`jobguard.jobspec.functions.types.type_from_name` and passes the resulting type object.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from jobguard.jobspec.functions.errors import ConversionError, HclFunctionError
from jobguard.jobspec.functions.spec import Param, arg_fail, fail, register
from jobguard.jobspec.functions.types import CtyType, convert


CURRENT_FILE: ContextVar[str] = ContextVar("jobguard_hcl_current_file", default="")


def range_string(filename: str, rng: tuple[int, int, int, int]) -> str:
    """HCL ``Range.String()``: ``file:line,col-col`` or ``file:line,col-line,col``."""
    line, col, end_line, end_col = rng
    if line == end_line:
        return f"{filename}:{line},{col}-{end_col}"
    return f"{filename}:{line},{col}-{end_line},{end_col}"


def _one(diag: Any) -> tuple[str, str, str | None]:
    summary = getattr(diag, "summary", None) or str(diag)
    detail = getattr(diag, "detail", "") or ""
    subject = getattr(diag, "subject", None)
    rng = getattr(diag, "rng", None)
    if subject is None and rng and rng[0]:
        filename = getattr(diag, "filename", None) or getattr(diag, "file", None) or CURRENT_FILE.get()
        subject = range_string(filename, rng)
    elif subject is None and getattr(diag, "line", 0):
        subject = range_string(diag.file, (diag.line, diag.column, diag.line, diag.column))
    return summary, detail, subject


def describe_failure(exc: BaseException) -> list[tuple[str, str, str | None]]:
    """(summary, detail, subject) triples for an exception raised by a thunk.

    Understands exceptions carrying ``diagnostics`` or ``errors`` lists, and single diagnostics with ``summary``/
    ``detail`` plus either ``subject`` (a range string), ``rng`` (line, col, end line, end col; the file name comes
    from the exception's ``filename`` or from ``call_function(..., filename=...)``) or ``file``/``line``/``column``.
    """
    diags = getattr(exc, "diagnostics", None) or getattr(exc, "errors", None)
    if diags:
        return [_one(d) for d in diags]
    if isinstance(exc, HclFunctionError) or hasattr(exc, "summary"):
        return [_one(exc)]
    return [("Error", str(exc), None)]


@register("try", [], var_param=Param("expressions", allow_null=True), lazy=True)
def try_(*thunks: Callable[[], Any]) -> Any:
    if not thunks:
        raise fail("at least one argument is required")
    failures: list[tuple[str, str, str | None]] = []
    for thunk in thunks:
        try:
            return thunk()
        except Exception as exc:  # noqa: BLE001 - any evaluation failure makes try move on, like HCL
            failures.extend(describe_failure(exc))
    lines = ["no expression succeeded:\n"]
    for summary, detail, subject in failures:
        if subject:
            lines.append(f"- {summary} (at {subject})\n  {detail}\n")
        else:
            lines.append(f"- {summary}\n  {detail}\n")
    lines.append("\nAt least one expression must produce a successful result")
    raise fail("".join(lines))


@register("can", [Param("expression", allow_null=True)], lazy=True)
def can(thunk: Callable[[], Any]) -> bool:
    try:
        thunk()
    except Exception:  # noqa: BLE001 - any evaluation failure means "cannot"
        return False
    return True


@register("convert", [Param("value", allow_null=True), Param("type", allow_null=True)])
def convert_(value: Any, type_: Any) -> Any:
    if not isinstance(type_, CtyType):
        raise arg_fail(1, "a type expression is required")
    try:
        return convert(value, type_)
    except ConversionError as exc:
        raise arg_fail(0, str(exc)) from None
