"""Structural equality of two policy ASTs, positions aside.

Why: ``jobguard fmt`` may move tokens to other lines, add trailing commas, drop redundant parentheses or explicit
semicolons. None of that may change what the policy means, and "means the same" is exactly "parses to the same
tree". The formatter checks it on every file before writing, and the tests check it over whole corpora.
"""

from __future__ import annotations

from typing import Any

from jobguard.lang import nodes as n

# Where a node is, and what the file's comments say, is not what the policy does.
_IGNORED = frozenset({"line", "col", "comments", "description"})


def ast_equal(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` (nodes, lists of nodes, or plain values) have the same structure and values."""
    if isinstance(a, n.Node) or isinstance(b, n.Node):
        if type(a) is not type(b):
            return False
        for name in a.__dataclass_fields__:
            if name not in _IGNORED and not ast_equal(getattr(a, name), getattr(b, name)):
                return False
        return True
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            return False
        return all(ast_equal(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):  # 1 and 1.0, True and 1 are different literals
        return False
    return a == b
