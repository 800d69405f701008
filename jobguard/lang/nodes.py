"""AST of the policy language. Every node knows its start position (1-based line and column) so that runtime
errors and traces point at the source, like Sentinel's ``name.sentinel:LINE:COL``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterator
from typing import Any


_NOT_CHILDREN = frozenset({"line", "col", "comments"})


@dataclass(eq=False)
class Node:
    line: int
    col: int


def nodes_in(value: Any) -> Iterator[Node]:
    """The nodes in ``value``: the value itself if it is a node, else those in (nested) lists and tuples."""
    if isinstance(value, Node):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from nodes_in(item)


def children(node: Node) -> Iterator[Node]:
    """``node``'s direct sub-nodes, in field order (position and comments are not children)."""
    for name in node.__dataclass_fields__:
        if name not in _NOT_CHILDREN:
            yield from nodes_in(getattr(node, name))


# -- expressions ------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Literal(Node):
    value: Any


@dataclass(eq=False)
class Name(Node):
    name: str


@dataclass(eq=False)
class ListLit(Node):
    items: list[Node]


@dataclass(eq=False)
class MapLit(Node):
    items: list[tuple[Node, Node]]


@dataclass(eq=False)
class Unary(Node):
    op: str  # "-", "+", "!", "not"
    operand: Node


@dataclass(eq=False)
class Binary(Node):
    op: str  # "+", "and", "is not", "not in", "else", ...
    left: Node
    right: Node


@dataclass(eq=False)
class Postfix(Node):
    op: str  # "is empty", "is not empty", "is defined", "is not defined"
    operand: Node


@dataclass(eq=False)
class Selector(Node):
    target: Node
    name: str


@dataclass(eq=False)
class Index(Node):
    target: Node
    index: Node


@dataclass(eq=False)
class Slice(Node):
    target: Node
    low: Node | None
    high: Node | None


@dataclass(eq=False)
class Call(Node):
    func: Node
    args: list[Node]


@dataclass(eq=False)
class FuncLit(Node):
    params: list[str]
    body: list[Node]
    name: str = ""


@dataclass(eq=False)
class RuleExpr(Node):
    body: Node
    when: Node | None = None


@dataclass(eq=False)
class Quantifier(Node):
    kind: str  # all, any, filter, map
    collection: Node
    names: list[str]
    body: Node


# -- statements -------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Import(Node):
    path: str
    alias: str


@dataclass(eq=False)
class Param(Node):
    name: str
    default: Node | None


@dataclass(eq=False)
class FuncDecl(Node):
    name: str
    func: FuncLit


@dataclass(eq=False)
class Assign(Node):
    target: Node  # Name, Index or Selector
    op: str  # "=", "+=", ...
    value: Node


@dataclass(eq=False)
class ExprStmt(Node):
    expr: Node


@dataclass(eq=False)
class If(Node):
    cond: Node
    body: list[Node]
    orelse: list[Node] | None = None


@dataclass(eq=False)
class For(Node):
    collection: Node
    names: list[str]
    body: list[Node]


@dataclass(eq=False)
class When(Node):
    exprs: list[Node]  # empty for the else clause
    body: list[Node]


@dataclass(eq=False)
class Case(Node):
    subject: Node | None
    clauses: list[When]
    orelse: When | None = None


@dataclass(eq=False)
class Return(Node):
    value: Node


@dataclass(eq=False)
class Break(Node):
    pass


@dataclass(eq=False)
class Continue(Node):
    pass


@dataclass(eq=False)
class Module(Node):
    body: list[Node]
    description: str = ""
    comments: list[Any] = field(default_factory=list)
