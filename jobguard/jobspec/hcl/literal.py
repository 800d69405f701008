"""Literal-only HCL documents: bodies of attributes and blocks whose values are constants, with positions.

Why here: configuration-like files (Sentinel test cases, ``sentinel.hcl`` policy sets) are HCL that allows no
variables and no functions. Reading them with the job file front end (instead of python-hcl2's ``loads``) keeps
every value's file:line:col and HCL's own syntax diagnostics, and gives config, suppressions and the test runner
one HCL reader. Expressions made only of constants (``"a"``, ``[1, 2]``, ``{ k = "v" }``, ``-1``, ``"$${x}"``)
are evaluated; a variable reference or a function call is an error at its position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.hcl.diagnostics import HCLError, MultiError, Range
from jobguard.jobspec.hcl.parser import parse_body
from jobguard.jobspec.hcl.syntax import Block, Body


class LiteralError(Exception):
    """The document is not valid literal-only HCL. Carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass
class LiteralAttribute:
    """``name = value`` with the position of its name."""

    name: str
    value: Any
    line: int
    column: int


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


def read_literal_document(text: str, filename: str) -> LiteralBody:
    """Parse ``text`` and evaluate every attribute; raises :class:`LiteralError` with all problems."""
    try:
        body = parse_body(text)
    except MultiError as exc:
        raise LiteralError([_diagnostic(e, filename) for e in exc.errors]) from None
    except HCLError as exc:
        raise LiteralError([_diagnostic(exc, filename)]) from None
    errors: list[Diagnostic] = []
    out = _body(body, filename, errors)
    if errors:
        raise LiteralError(errors)
    return out


def _body(body: Body, filename: str, errors: list[Diagnostic]) -> LiteralBody:
    out = LiteralBody()
    for name, attr in body.attributes.items():
        try:
            value = attr.expr.eval(None)  # no scope: references and calls raise at their position
        except HCLError as exc:
            errors.append(_diagnostic(exc, filename))
            continue
        out.attributes[name] = LiteralAttribute(name, value, attr.name_rng[0], attr.name_rng[1])
    for block in body.blocks:
        out.blocks.append(_block(block, filename, errors))
    return out


def _block(block: Block, filename: str, errors: list[Diagnostic]) -> LiteralBlock:
    line, column = block.type_rng[0], block.type_rng[1]
    return LiteralBlock(block.type, list(block.labels), _body(block.body, filename, errors), line, column)


def _diagnostic(err: HCLError, filename: str) -> Diagnostic:
    rng: Range = err.rng
    detail = (err.detail or "").replace("{file}", err.file or filename)
    return Diagnostic(err.file or filename, rng[0], rng[1], err.summary, detail)
