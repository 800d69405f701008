"""Literal-only HCL documents: bodies of attributes and blocks whose values are constants, with positions.

Why here: configuration-like files (Sentinel test cases, ``sentinel.hcl`` policy sets) are HCL that allows no
variables and no functions. Reading them with the job file front end (instead of python-hcl2's ``loads``) keeps
every value's file:line:col and HCL's own syntax diagnostics, and gives config, suppressions and the test runner
one HCL reader. Expressions made only of constants (``"a"``, ``[1, 2]``, ``{ k = "v" }``, ``-1``, ``"$${x}"``)
are evaluated; a variable reference or a function call is an error at its position.

``literals_only=True`` is the stricter mode of ``jobguard.hcl``: values must be written out (strings without
interpolation, numbers, booleans, null, lists, objects), because a configuration file should mean the same thing
wherever it is read. Every value records the position of each element it contains, so a schema error deep inside
``params = { ... }`` can still name file:line:col.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.hcl.diagnostics import HCLError, MultiError, Range
from jobguard.jobspec.hcl.expressions import Expr, Literal, ObjectCons, ObjectKey, Paren, TupleCons
from jobguard.jobspec.hcl.parser import parse_body
from jobguard.jobspec.hcl.syntax import Block, Body
from jobguard.jobspec.hcl.templates import Template, TemplateWrap
from jobguard.jobspec.hcl.values import format_number
from jobguard.jobspec.limits import FileTimeout, LimitExceeded

#: where a value sits inside an attribute's value: ``()`` is the value itself, then list indexes and object keys
LiteralPath = tuple[Any, ...]


class LiteralError(Exception):
    """The document is not valid literal-only HCL. Carries every diagnostic found.

    ``syntax_errors`` holds the parser's own errors when the text did not parse, for readers that word syntax
    problems their own way (``jobguard.hcl`` says "Invalid HCL syntax" and "Duplicate argument").
    """

    def __init__(self, diagnostics: list[Diagnostic], syntax_errors: list[HCLError] | None = None):
        self.diagnostics = list(diagnostics)
        self.syntax_errors = list(syntax_errors or [])
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass
class LiteralAttribute:
    """``name = value`` with the position of its name."""

    name: str
    value: Any
    line: int
    column: int
    #: position of the value (path ``()``) and of every element inside it (list index / object key paths)
    positions: dict[LiteralPath, tuple[int, int]] = field(default_factory=dict)


@dataclass
class LiteralBlock:
    """``type "label"... { body }`` with the position of its type name."""

    type: str
    labels: list[str]
    body: LiteralBody
    line: int
    column: int

    @property
    def title(self) -> str:
        """How messages name the block, e.g. ``module "tfplan-functions"``."""
        return " ".join([self.type, *(f'"{label}"' for label in self.labels)])


@dataclass
class LiteralBody:
    attributes: dict[str, LiteralAttribute] = field(default_factory=dict)
    blocks: list[LiteralBlock] = field(default_factory=list)

    def blocks_of(self, kind: str) -> list[LiteralBlock]:
        return [b for b in self.blocks if b.type == kind]


def read_literal_document(text: str, filename: str, *, literals_only: bool = False,
                          newline_rules: bool = True) -> LiteralBody:
    """Parse ``text`` and evaluate every attribute; raises :class:`LiteralError` with all problems.

    ``newline_rules`` as in :func:`~jobguard.jobspec.hcl.parser.parse_body`.
    """
    try:
        body = parse_body(text, newline_rules=newline_rules)
    except MultiError as exc:
        raise LiteralError([_diagnostic(e, filename) for e in exc.errors], exc.errors) from None
    except HCLError as exc:
        raise LiteralError([_diagnostic(exc, filename)], [exc]) from None
    except FileTimeout:
        raise
    except LimitExceeded as exc:  # e.g. a number literal too long to read: a located error, not a traceback
        line, column = (exc.rng or (0, 0))[:2]
        raise LiteralError([Diagnostic(filename, line, column, exc.summary, exc.detail)]) from None
    errors: list[Diagnostic] = []
    out = _body(body, filename, errors, literals_only)
    if errors:
        raise LiteralError(errors)
    return out


def literal_value(expr: Expr, path: LiteralPath = (), positions: dict[LiteralPath, tuple[int, int]] | None = None,
                  *, literals_only: bool = False) -> Any:
    """The value of a constant expression, recording where each element starts in ``positions``.

    Raises :class:`HCLError` at the offending sub-expression: with ``literals_only`` anything but a written-out
    value is refused; otherwise constant expressions are evaluated with no scope, so a reference or a call fails
    with HCL's own diagnostic.
    """
    if positions is not None:
        positions.setdefault(path, (expr.rng[0], expr.rng[1]))
    if isinstance(expr, (Template, TemplateWrap)) and literals_only:
        raise HCLError("Unsupported expression", "interpolation and template directives are not allowed here",
                       expr.rng)
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Paren) and not isinstance(expr, TemplateWrap):
        return literal_value(expr.expr, path, positions, literals_only=literals_only)
    if isinstance(expr, TupleCons):
        return [literal_value(item, path + (i,), positions, literals_only=literals_only)
                for i, item in enumerate(expr.items)]
    if isinstance(expr, ObjectCons):
        out: dict[str, Any] = {}
        for key_expr, value_expr in expr.items:
            key = _object_key(key_expr, literals_only)
            if positions is not None:
                positions.setdefault(path + (key,), (key_expr.rng[0], key_expr.rng[1]))
            out[key] = literal_value(value_expr, path + (key,), positions, literals_only=literals_only)
        return out
    if literals_only:
        raise HCLError("Unsupported expression",
                       "only literal values (strings, numbers, booleans, lists, objects) are allowed", expr.rng)
    return expr.eval(None)  # no scope: references and calls raise at their position


def _object_key(key: ObjectKey, literals_only: bool) -> str:
    """Object keys: a bare name or a quoted string (HCL also allows expressions; literal mode has no use for them)."""
    if key.name is not None:
        return key.name
    if literals_only:
        inner = key.expr.expr if isinstance(key.expr, Paren) and not isinstance(key.expr, TemplateWrap) else key.expr
        if isinstance(inner, Literal) and isinstance(inner.value, str):
            return inner.value
        if isinstance(inner, Literal) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
            return format_number(inner.value)
        raise HCLError("Unsupported object key", "use a name or a quoted string", key.rng)
    return key.eval(None)


def _body(body: Body, filename: str, errors: list[Diagnostic], literals_only: bool) -> LiteralBody:
    out = LiteralBody()
    for name, attr in body.attributes.items():
        positions: dict[LiteralPath, tuple[int, int]] = {}
        try:
            value = literal_value(attr.expr, (), positions, literals_only=literals_only)
        except HCLError as exc:
            errors.append(_diagnostic(exc, filename))
            continue
        out.attributes[name] = LiteralAttribute(name, value, attr.name_rng[0], attr.name_rng[1], positions)
    for block in body.blocks:
        out.blocks.append(_block(block, filename, errors, literals_only))
    return out


def _block(block: Block, filename: str, errors: list[Diagnostic], literals_only: bool) -> LiteralBlock:
    line, column = block.type_rng[0], block.type_rng[1]
    return LiteralBlock(block.type, list(block.labels), _body(block.body, filename, errors, literals_only), line,
                        column)


def _diagnostic(err: HCLError, filename: str) -> Diagnostic:
    rng: Range = err.rng
    detail = (err.detail or "").replace("{file}", err.file or filename)
    return Diagnostic(err.file or filename, rng[0], rng[1], err.summary, detail)
