"""A small JSON parser that remembers where every value and object key starts (1-based line:column).

Why our own: the standard library's :mod:`json` throws positions away, and a finding about
``TaskGroups[0].Tasks[0].Env.DB_PASSWORD`` must point at the line a human should edit. The parser also keeps the
literal text of numbers, because Go's ``encoding/json`` refuses ``1.0`` or ``1e3`` for an ``int`` field and the
decoder has to know what was written.

Strict RFC 8259 (what Go accepts): no comments, no trailing commas, no NaN, a single top-level value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    """One JSON value. ``kind`` is object | array | string | number | bool | null.

    ``value``: for objects a list of (key, key_line, key_col, Node) in document order (duplicates kept, as Go
    processes them in order); for arrays a list of Node; for numbers the literal text; else the Python value.
    """

    kind: str
    value: Any
    line: int = 0
    col: int = 0
    members: list = field(default_factory=list)


class JSONSyntaxError(ValueError):
    """Invalid JSON, with the 1-based position of the offending character."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WS = " \t\n\r"
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JSONOverLimit(JSONSyntaxError):
    """JSON nested deeper, or with more values, than jobguard reads (see :mod:`jobguard.jobspec.limits`);
    ``summary`` says which."""

    summary = "Nesting too deep"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0

    # position bookkeeping -------------------------------------------------------------------------------------------
    def _col(self, pos: int | None = None) -> int:
        pos = self.pos if pos is None else pos
        return pos - self.line_start + 1

    def _error(self, message: str) -> JSONSyntaxError:
        return JSONSyntaxError(message, self.line, self._col())

    def _skip_ws(self) -> None:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _WS:
            if text[self.pos] == "\n":
                self.line += 1
                self.line_start = self.pos + 1
            self.pos += 1

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    # grammar ----------------------------------------------------------------------------------------------------------
    def parse(self) -> Node:
        if self.text.startswith("\ufeff"):
            self.pos = 1
            self.line_start = 1
        self._skip_ws()
        node = self._value()
        self._skip_ws()
        if self.pos != len(self.text):
            raise self._error(f"invalid character {self._peek()!r} after top-level value")
        return node

    def _value(self) -> Node:
        ch = self._peek()
        line, col = self.line, self._col()
        if ch == "{":
            return self._object(line, col)
        if ch == "[":
            return self._array(line, col)
        if ch == '"':
            return Node("string", self._string(), line, col)
        if ch == "-" or ch.isdigit():
            m = _NUMBER.match(self.text, self.pos)
            if not m:
                raise self._error("invalid number literal")
            self.pos = m.end()
            return Node("number", m.group(0), line, col)
        for literal, kind, value in (("true", "bool", True), ("false", "bool", False), ("null", "null", None)):
            if self.text.startswith(literal, self.pos):
                self.pos += len(literal)
                return Node(kind, value, line, col)
        raise self._unexpected("looking for beginning of value")

    def _unexpected(self, context: str) -> JSONSyntaxError:
        """encoding/json's message for the character at the cursor (or the end of input) in ``context``."""
        ch = self._peek()
        return self._error(f"invalid character {ch!r} {context}" if ch else "unexpected end of JSON input")

    def _empty(self, close: str) -> bool:
        """Step over an opening bracket; True (and step over ``close`` too) if the container is empty."""
        self.pos += 1
        self._skip_ws()
        if self._peek() == close:
            self.pos += 1
            return True
        return False

    def _more(self, close: str, context: str) -> bool:
        """After a member: True on ``,`` (another follows), False on ``close`` (the container ended)."""
        self._skip_ws()
        ch = self._peek()
        if ch in (",", close):
            self.pos += 1
            return ch == ","
        raise self._unexpected(context)

    def _object(self, line: int, col: int) -> Node:
        members: list = []
        if self._empty("}"):
            return Node("object", members, line, col)
        while True:
            self._skip_ws()
            if self._peek() != '"':
                raise self._unexpected("looking for beginning of object key string")
            key_line, key_col = self.line, self._col()
            key = self._string()
            self._skip_ws()
            if self._peek() != ":":
                raise self._unexpected("after object key")
            self.pos += 1
            self._skip_ws()
            members.append((key, key_line, key_col, self._value()))
            if not self._more("}", "after object key:value pair"):
                return Node("object", members, line, col)

    def _array(self, line: int, col: int) -> Node:
        items: list[Node] = []
        if self._empty("]"):
            return Node("array", items, line, col)
        while True:
            self._skip_ws()
            items.append(self._value())
            if not self._more("]", "after array element"):
                return Node("array", items, line, col)

    def _string(self) -> str:
        self.pos += 1  # opening quote
        out: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise self._error("unexpected end of JSON input in string literal")
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                esc = text[self.pos + 1: self.pos + 2]
                if esc in _ESCAPES:
                    out.append(_ESCAPES[esc])
                    self.pos += 2
                elif esc == "u":
                    out.append(self._unicode_escape())
                else:
                    raise self._error("invalid escape in string literal")
                continue
            if ord(ch) < 0x20:
                raise self._error("invalid control character in string literal")
            out.append(ch)
            self.pos += 1

    def _unicode_escape(self) -> str:
        digits = self.text[self.pos + 2: self.pos + 6]
        if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
            raise self._error("invalid \\u escape in string literal")
        code = int(digits, 16)
        self.pos += 6
        if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", self.pos):
            low_digits = self.text[self.pos + 2: self.pos + 6]
            if re.fullmatch(r"[0-9a-fA-F]{4}", low_digits) and 0xDC00 <= int(low_digits, 16) < 0xE000:
                self.pos += 6
                return chr(0x10000 + ((code - 0xD800) << 10) + (int(low_digits, 16) - 0xDC00))
        if 0xD800 <= code < 0xE000:
            return "\ufffd"  # Go replaces unpaired surrogates
        return chr(code)


def parse(text: str) -> Node:
    """Parse JSON text into a :class:`Node` tree (raises :class:`JSONSyntaxError`, :class:`JSONOverLimit` past
    the nesting or size limit: the parser recurses per level, so the depth is checked on the text first)."""
    from jobguard.jobspec.limits import json_limit_error

    over = json_limit_error(text)
    if over is not None:
        error = JSONOverLimit(over[3], over[0], over[1])
        error.summary = over[2]
        raise error
    return _Parser(text).parse()


def from_python(value: Any) -> Node:
    """A Node tree for an already-decoded value (e.g. an HTTP request body); positions are 0 (unknown)."""
    if isinstance(value, dict):  # ``pairs``: every key in order, repeats included (the proxy's Go-style objects)
        return Node("object", [(str(k), 0, 0, from_python(v)) for k, v in getattr(value, "pairs", value.items())])
    if isinstance(value, (list, tuple)):
        return Node("array", [from_python(v) for v in value])
    if isinstance(value, bool):
        return Node("bool", value)
    if value is None:
        return Node("null", None)
    if isinstance(value, (int, float)):
        return Node("number", repr(value))
    return Node("string", str(value))


def to_python(node: Node) -> Any:
    """The plain value of a node, numbers the way Go's ``interface{}`` holds them (float64, printed minimal)."""
    if node.kind == "object":
        return {key: to_python(child) for key, _line, _col, child in node.value}
    if node.kind == "array":
        return [to_python(child) for child in node.value]
    if node.kind == "number":
        return go_float(node.value)
    return node.value


def go_float(literal: str) -> int | float:
    """A JSON number decoded into Go's float64 and printed back: integral values print without a fraction."""
    number = float(literal)
    if number.is_integer() and abs(number) < 1e21:
        return int(number)
    return number
