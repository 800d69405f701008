"""Source text of an expression node, for traces and error messages (``task.driver is "docker"``)."""

from __future__ import annotations

import json

from jobguard.lang import nodes as n
from jobguard.lang.runtime import format_float


def unparse(node: n.Node) -> str:
    t = type(node)
    if t is n.Literal:
        v = node.value
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, float):
            return format_float(v) if "." in format_float(v) or "e" in format_float(v) else format_float(v) + ".0"
        return str(v)
    if t is n.Name:
        return node.name
    if t is n.ListLit:
        return "[" + ", ".join(unparse(x) for x in node.items) + "]"
    if t is n.MapLit:
        return "{" + ", ".join(f"{unparse(k)}: {unparse(v)}" for k, v in node.items) + "}"
    if t is n.Unary:
        sep = " " if node.op == "not" else ""
        return f"{node.op}{sep}{_wrap(node.operand, 7)}"
    if t is n.Binary:
        prec = _PREC[node.op]
        return f"{_wrap(node.left, prec)} {node.op} {_wrap(node.right, prec + 1)}"
    if t is n.Postfix:
        return f"{_wrap(node.operand, _PREC['is'])} {node.op}"
    if t is n.Selector:
        return f"{unparse(node.target)}.{node.name}"
    if t is n.Index:
        return f"{unparse(node.target)}[{unparse(node.index)}]"
    if t is n.Slice:
        lo = unparse(node.low) if node.low else ""
        hi = unparse(node.high) if node.high else ""
        return f"{unparse(node.target)}[{lo}:{hi}]"
    if t is n.Call:
        return f"{unparse(node.func)}(" + ", ".join(unparse(a) for a in node.args) + ")"
    if t is n.FuncLit:
        return "func(" + ", ".join(node.params) + ") { ... }"
    if t is n.RuleExpr:
        when = f"when {unparse(node.when)} " if node.when else ""
        return f"rule {when}{{ {unparse(node.body)} }}"
    if t is n.Quantifier:
        return f"{node.kind} {unparse(node.collection)} as {', '.join(node.names)} {{ {unparse(node.body)} }}"
    return f"<{t.__name__}>"


_PREC = {"or": 1, "xor": 1, "and": 2, "else": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
for _op in ("==", "!=", "<", "<=", ">", ">=", "is", "is not", "contains", "not contains", "in", "not in", "matches",
            "not matches"):
    _PREC[_op] = 3


def _wrap(node: n.Node, min_prec: int) -> str:
    """Parenthesise ``node`` when it binds less tightly than its position requires."""
    text = unparse(node)
    if type(node) is n.Binary and _PREC[node.op] < min_prec:
        return f"({text})"
    if type(node) is n.Postfix and _PREC["is"] < min_prec:
        return f"({text})"
    return text
