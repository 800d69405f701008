"""How deeply an HCL file nests, and how many tokens it has, measured on the text before the parser runs.

Why on the text: the Lark parser, the tree converter, template building and the evaluator all recurse once (or
several times) per level, so a file nested 100,000 levels deep takes seconds to parse and then dies of
``RecursionError``; and the parser spends about ten microseconds a token, so a megabyte of ``1,1,1,...`` takes
longer than the time budget. A linear scan (a few percent of the parse) finds the first place that goes past
:data:`~jobguard.jobspec.limits.MAX_NESTING_DEPTH` or :data:`~jobguard.jobspec.limits.MAX_SYNTAX_TOKENS` and
reports it as a syntax error at that line and column.

What counts as a level -- everything that makes the syntax tree one node deeper:

* ``{`` ``[`` ``(`` (blocks, objects, tuples, calls, parentheses), quoted strings, heredocs, ``${``/``%{``;
* nested template directives (``%{ if }`` / ``%{ for }`` inside one another);
* operators and attribute/index steps chained in one expression (``1+1+1...``, ``!!!x``, ``a ? b : c ? ...``,
  ``x.a.b.c...``): each adds a level until a separator (``,``, ``=``, ``=>``, or a new line in a block or object
  body) starts the next expression.

The count is an upper bound of the tree depth (chains of a real job are a handful of operators), which keeps the
scan simple and every later stage safely inside Python's recursion limit.
"""

from __future__ import annotations

import re

from jobguard.jobspec.hcl.diagnostics import HCLError
from jobguard.jobspec.limits import LIMITS_DOC, MAX_NESTING_DEPTH, MAX_SYNTAX_TOKENS, nesting_detail, position_of

_EXPR_TOKEN = re.compile(r"""
    [ \t\r]*  # blanks before a token belong to it: half as many matches
  (?: (?P<newline>\n)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<heredoc><<-?(?P<marker>[A-Za-z_][\w.-]*)[ \t]*\r?\n)
  | (?P<word>[A-Za-z_][\w-]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<open>[\[({])
  | (?P<close>[\])}])
  | (?P<simple>"(?:\$\$\{|%%\{|[^"\\$%\n]|\\.|[$%](?!\{))*")  # a string without templates: one token
  | (?P<quote>")
  | (?P<sep>=>|==|!=|<=|>=|&&|\|\||\.\.\.|[,=:])
  | (?P<other>.)
  | (?P<end>\Z) )
""", re.S | re.X)
_STRING_RUN = re.compile(r"(?:[^\"\\$%\n]+|\\.|\$\$\{|%%\{|[$%](?!\{))+", re.S)
_HEREDOC_STOP = re.compile(r"\$\$\{|%%\{|[$%]\{|\n")
_DIRECTIVE_WORD = re.compile(r"%\{~?[ \t\r\n]*([A-Za-z]+)")
_OPERATORS = frozenset("+-*/%!?<>.") | {"==", "!=", "<=", ">=", "&&", "||", "..."}
_RESETS = frozenset({",", "=", "=>"})
_OPENERS = {"}": "{", "]": "[", ")": "("}


class _Frame:
    """One open level: ``kind`` is top, ``{``, ``[``, ``(``, interp, string or heredoc; ``chain`` counts the
    operators of the current expression (or, in a template, the open ``if``/``for`` directives)."""

    __slots__ = ("kind", "chain", "marker")

    def __init__(self, kind: str, marker: re.Pattern[str] | None = None) -> None:
        self.kind = kind
        self.chain = 0
        self.marker = marker


def prescan_error(text: str, limit: int = MAX_NESTING_DEPTH,
                  max_tokens: int = MAX_SYNTAX_TOKENS) -> HCLError | None:
    """The "Nesting too deep" (or "Too many tokens") diagnostic at the first place ``text`` nests deeper than
    ``limit`` (or has more than ``max_tokens`` tokens), else None."""
    return _Scanner(text, limit, max_tokens).run()


class _Scanner:
    def __init__(self, text: str, limit: int, max_tokens: int) -> None:
        self.text = text
        self.limit = limit
        self.tokens_left = max_tokens
        self.max_tokens = max_tokens
        self.stack = [_Frame("top")]
        self.depth = 0
        self.pos = 0

    def _error(self, offset: int) -> HCLError:
        line, col = position_of(self.text, offset)
        detail = nesting_detail("This file's blocks, brackets, strings, templates or operators", self.limit)
        return HCLError("Nesting too deep", f"{detail}.", (line, col, line, col + 1))

    def _push(self, kind: str, offset: int, marker: re.Pattern[str] | None = None) -> HCLError | None:
        self.stack.append(_Frame(kind, marker))
        self.depth += 1
        return self._error(offset) if self.depth > self.limit else None

    def _pop(self) -> _Frame:
        frame = self.stack.pop() if len(self.stack) > 1 else self.stack[0]
        if frame is not self.stack[0]:
            self.depth -= 1 + frame.chain
        return frame

    def _chain(self, frame: _Frame, step: int, offset: int) -> HCLError | None:
        step = max(step, -frame.chain)
        frame.chain += step
        self.depth += step
        return self._error(offset) if self.depth > self.limit else None

    def run(self) -> HCLError | None:
        n = len(self.text)
        while self.pos < n:
            kind = self.stack[-1].kind
            if kind == "string":
                error = self._string()
            elif kind == "heredoc":
                error = self._heredoc()
            else:
                error = self._expression()
            if error is not None:
                return error
        return None

    def _too_many_tokens(self, offset: int) -> HCLError:
        line, col = position_of(self.text, offset)
        return HCLError("Too many tokens", f"This file has more than {self.max_tokens:,} tokens (names, numbers, "
                        f"operators, brackets, string pieces), jobguard's limit for job files (see {LIMITS_DOC}).",
                        (line, col, line, col + 1))

    def _expression(self) -> HCLError | None:
        m = _EXPR_TOKEN.match(self.text, self.pos)
        assert m is not None  # one alternative matches any character, another the end
        self.pos = m.end()
        group = m.lastgroup
        self.tokens_left -= 1
        if self.tokens_left < 0:
            return self._too_many_tokens(m.start(group))
        if group in ("simple", "end"):
            return None
        frame = self.stack[-1]
        token, at = m.group(group), m.start(group)
        if group == "open":
            return self._push(token, at)
        if group == "close":
            if frame.kind == _OPENERS[token] or (frame.kind == "interp" and token == "}"):
                self._pop()
            return None
        if group == "quote":
            return self._push("string", at)
        if group == "heredoc":
            marker = re.compile(r"[ \t]*" + re.escape(m.group("marker")) + r"[ \t]*\r?(?:\n|\Z)")
            return self._push("heredoc", at, marker)
        if group == "newline":
            if frame.kind in ("top", "{"):
                self._chain(frame, -frame.chain, at)
            return None
        if group == "sep" and token in _RESETS:
            self._chain(frame, -frame.chain, at)
        elif token in _OPERATORS:
            return self._chain(frame, 1, at)
        return None

    def _template_open(self, frame: _Frame, at: int) -> HCLError | None:
        """``${`` or ``%{`` at ``at``: a directive keyword opens or closes a template level; then an interp."""
        if self.text[at] == "%":
            word = _DIRECTIVE_WORD.match(self.text, at)
            keyword = word.group(1) if word else ""
            if keyword in ("if", "for"):
                error = self._chain(frame, 1, at)
                if error is not None:
                    return error
            elif keyword in ("endif", "endfor"):
                self._chain(frame, -1, at)
        self.pos = at + 2
        return self._push("interp", at)

    def _string(self) -> HCLError | None:
        m = _STRING_RUN.match(self.text, self.pos)
        if m is not None:
            self.pos = m.end()
            if self.pos >= len(self.text):
                return None
        ch = self.text[self.pos]
        if ch in "$%":
            return self._template_open(self.stack[-1], self.pos)
        self.pos += 1
        if ch in '"\n':  # a newline ends a broken string: the parser reports it, the scan goes on
            self._pop()
        return None

    def _heredoc(self) -> HCLError | None:
        frame = self.stack[-1]
        text = self.text
        if self.pos == 0 or text[self.pos - 1] == "\n":
            end = frame.marker.match(text, self.pos) if frame.marker is not None else None
            if end is not None:
                self.pos = end.end()
                self._pop()
                return None
        m = _HEREDOC_STOP.search(text, self.pos)
        if m is None:
            self.pos = len(text)
            return None
        token = m.group()
        if token == "\n" or len(token) == 3:  # a line break, or an escaped $${ / %%{
            self.pos = m.end()
            return None
        return self._template_open(frame, m.start())
