"""Tokenizer for the policy language, with Sentinel's automatic semicolon insertion.

Why hand-written and not a Lark lexer: Sentinel (like Go) inserts a semicolon at a newline only when the line's
last token can end a statement (identifier, literal, ``)``, ``]``, ``}``, ``break``, ``continue``, ``is [not]
empty|defined``), a multi-line ``/* */`` comment counts as a newline, and operators such as ``is not empty`` or
``not in`` are single tokens made of several words. Those decisions need look-back and look-ahead that a regular
lexer cannot express. We also implement implicit line joining: inside ``(...)`` and ``[...]`` newlines never end a
statement, so long call arguments and list literals may be split freely (a ``{`` inside re-enables insertion).

The lexer never raises for bad input: an unknown character or unterminated string becomes an ``ILLEGAL`` token,
which the parser reports with its position, together with every other error of the file.
"""

from __future__ import annotations

from dataclasses import dataclass

KEYWORDS = {
    "import": "IMPORT", "param": "PARAM", "as": "AS", "default": "DEFAULT", "when": "WHEN", "func": "FUNC",
    "rule": "RULE", "return": "RETURN", "break": "BREAK", "continue": "CONTINUE", "if": "IF", "else": "ELSE",
    "any": "ANY", "all": "ALL", "for": "FOR", "filter": "FILTER", "map": "MAP", "case": "CASE", "and": "AND",
    "or": "OR", "xor": "XOR", "not": "NOT", "contains": "CONTAINS", "in": "IN", "matches": "MATCHES", "is": "IS",
}

# Multi-word operators: first word -> [(following words, token type)], longest first.
_COMPOUND = {
    "is": [(("not", "empty"), "IS_NOT_EMPTY"), (("not", "defined"), "IS_NOT_DEFINED"), (("not",), "IS_NOT"),
           (("empty",), "IS_EMPTY"), (("defined",), "IS_DEFINED")],
    "not": [(("contains",), "NOT_CONTAINS"), (("in",), "NOT_IN"), (("matches",), "NOT_MATCHES")],
}

PUNCT = {
    "+=": "ADD_ASSIGN", "-=": "SUB_ASSIGN", "*=": "MUL_ASSIGN", "/=": "QUO_ASSIGN", "%=": "REM_ASSIGN",
    "==": "EQL", "!=": "NEQ", "<=": "LEQ", ">=": "GEQ",
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "%": "PERCENT", "=": "ASSIGN", "<": "LSS", ">": "GTR",
    "!": "BANG", "(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB", "{": "LBRACE", "}": "RBRACE", ",": "COMMA",
    ".": "DOT", ";": "SEMI", ":": "COLON",
}

# Tokens after which a newline ends the statement.
_ENDS_STATEMENT = {
    "IDENT", "INT", "FLOAT", "STRING", "RPAR", "RSQB", "RBRACE", "BREAK", "CONTINUE",
    "IS_EMPTY", "IS_NOT_EMPTY", "IS_DEFINED", "IS_NOT_DEFINED",
}

_DIGITS = "0123456789"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f",
            "v": "\v", "0": "\0"}


@dataclass
class Tok:
    """One token. ``value`` is the decoded value for literals (int/float/str), the source text otherwise."""

    type: str
    text: str
    value: object
    pos: int
    line: int
    col: int
    end_line: int
    end_col: int
    implied: bool = False  # an automatically inserted semicolon


@dataclass
class Comment:
    text: str
    pos: int
    line: int
    col: int
    end_line: int


class Lexer:
    """Turns source text into tokens (``tokens``) and comments (``comments``, kept for the formatter)."""

    def __init__(self, source: str):
        self.src = source
        self.n = len(source)
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.tokens: list[Tok] = []
        self.comments: list[Comment] = []
        self._brackets: list[str] = []

    # -- helpers -------------------------------------------------------------------------------------------------
    def _col(self, pos: int) -> int:
        return pos - self.line_start + 1

    def _advance_to(self, pos: int) -> None:
        """Move to ``pos``, keeping line bookkeeping for every newline passed."""
        src = self.src
        while True:
            nl = src.find("\n", self.i, pos)
            if nl < 0:
                break
            self.line += 1
            self.line_start = nl + 1
            self.i = nl + 1
        self.i = pos

    def _emit(self, type_: str, start: int, start_line: int, start_col: int, value: object = None) -> None:
        text = self.src[start:self.i]
        self.tokens.append(Tok(type_, text, text if value is None else value, start, start_line, start_col,
                               self.line, self._col(self.i)))

    def _wants_semicolon(self) -> bool:
        if not self.tokens or self.tokens[-1].type not in _ENDS_STATEMENT:
            return False
        return not self._brackets or self._brackets[-1] == "{"

    def _insert_semicolon(self, pos: int, line: int, col: int) -> None:
        self.tokens.append(Tok("SEMI", "\n", ";", pos, line, col, line, col, implied=True))

    # -- main loop -----------------------------------------------------------------------------------------------
    def tokenize(self) -> list[Tok]:
        src, n = self.src, self.n
        while self.i < n:
            c = src[self.i]
            if c == "\n":
                if self._wants_semicolon():
                    self._insert_semicolon(self.i, self.line, self._col(self.i))
                self._advance_to(self.i + 1)
            elif c in " \t\r\f\ufeff":
                self.i += 1
            elif c == "#" or src.startswith("//", self.i):
                end = src.find("\n", self.i)
                end = n if end < 0 else end
                self.comments.append(Comment(src[self.i:end], self.i, self.line, self._col(self.i), self.line))
                self.i = end
            elif src.startswith("/*", self.i):
                self._block_comment()
            elif c.isalpha() or c == "_":
                self._word()
            elif c in _DIGITS or (c == "." and self.i + 1 < n and src[self.i + 1] in _DIGITS):
                self._number()
            elif c == '"':
                self._string()
            elif c == "`":
                self._raw_string()
            else:
                self._punct()
        if self._wants_semicolon():
            self._insert_semicolon(self.i, self.line, self._col(self.i))
        self.tokens.append(Tok("$END", "", "", n, self.line, self._col(n), self.line, self._col(n)))
        return self.tokens

    def _block_comment(self) -> None:
        start, line, col = self.i, self.line, self._col(self.i)
        end = self.src.find("*/", self.i + 2)
        if end < 0:
            self.i = self.n
            self.tokens.append(Tok("ILLEGAL", self.src[start:start + 2], "unterminated comment", start, line, col,
                                   line, col + 2))
            return
        text = self.src[start:end + 2]
        if "\n" in text and self._wants_semicolon():
            # a comment spanning lines ends the statement, like a newline would
            self._insert_semicolon(start, line, col)
        self._advance_to(end + 2)
        self.comments.append(Comment(text, start, line, col, self.line))

    def _word(self) -> None:
        src, n = self.src, self.n
        start, line, col = self.i, self.line, self._col(self.i)
        j = self.i
        while j < n and (src[j].isalnum() or src[j] == "_"):
            j += 1
        word = src[start:j]
        self.i = j
        after_dot = bool(self.tokens) and self.tokens[-1].type == "DOT"
        if after_dot or word not in KEYWORDS:
            self._emit("IDENT", start, line, col, word)
            return
        for follow, type_ in _COMPOUND.get(word, ()):
            k = j
            ok = True
            for w in follow:
                m = k
                while m < n and src[m] in " \t\r":
                    m += 1
                e = m
                while e < n and (src[e].isalnum() or src[e] == "_"):
                    e += 1
                if m == k or src[m:e] != w:
                    ok = False
                    break
                k = e
            if ok:
                self.i = k
                self._emit(type_, start, line, col)
                return
        self._emit(KEYWORDS[word], start, line, col)

    def _number(self) -> None:
        src, n = self.src, self.n
        start, line, col = self.i, self.line, self._col(self.i)
        j = self.i
        if src.startswith(("0x", "0X"), j):
            j += 2
            while j < n and src[j] in "0123456789abcdefABCDEF":
                j += 1
            self.i = j
            digits = src[start + 2:j]
            if not digits:
                self._emit("ILLEGAL", start, line, col, "malformed hexadecimal number")
            else:
                self._emit("INT", start, line, col, int(digits, 16))
            return
        while j < n and src[j] in _DIGITS:
            j += 1
        is_float = False
        if j < n and src[j] == ".":
            is_float = True
            j += 1
            while j < n and src[j] in _DIGITS:
                j += 1
        if j < n and src[j] in "eE":
            k = j + 1
            if k < n and src[k] in "+-":
                k += 1
            if k < n and src[k] in _DIGITS:
                is_float = True
                while k < n and src[k] in _DIGITS:
                    k += 1
                j = k
        self.i = j
        text = src[start:j]
        if is_float:
            self._emit("FLOAT", start, line, col, float(text))
        elif len(text) > 1 and text[0] == "0":
            if any(ch in "89" for ch in text):
                self._emit("ILLEGAL", start, line, col, "invalid digit in octal number")
            else:
                self._emit("INT", start, line, col, int(text, 8))
        else:
            self._emit("INT", start, line, col, int(text))

    def _string(self) -> None:
        src, n = self.src, self.n
        start, line, col = self.i, self.line, self._col(self.i)
        j = self.i + 1
        out: list[str] = []
        while j < n:
            ch = src[j]
            if ch == '"':
                self.i = j + 1
                self._emit("STRING", start, line, col, "".join(out))
                return
            if ch == "\n":
                break
            if ch == "\\" and j + 1 < n:
                e = src[j + 1]
                if e in _ESCAPES:
                    out.append(_ESCAPES[e])
                    j += 2
                    continue
                width = {"x": 2, "u": 4, "U": 8}.get(e)
                if width:
                    hexd = src[j + 2:j + 2 + width]
                    try:
                        out.append(chr(int(hexd, 16)))
                        j += 2 + width
                        continue
                    except ValueError:
                        pass
                self.i = j
                self.tokens.append(Tok("ILLEGAL", src[j:j + 2], f"unknown escape sequence \\{e}", j, line,
                                       self._col(j), line, self._col(j) + 2))
                j += 2
                continue
            out.append(ch)
            j += 1
        self.i = j
        self._emit("ILLEGAL", start, line, col, "unterminated string")

    def _raw_string(self) -> None:
        start, line, col = self.i, self.line, self._col(self.i)
        end = self.src.find("`", self.i + 1)
        if end < 0:
            self.i = self.n
            self._emit("ILLEGAL", start, line, col, "unterminated raw string")
            return
        self._advance_to(end + 1)
        self._emit("STRING", start, line, col, self.src[start + 1:end])

    def _punct(self) -> None:
        src = self.src
        start, line, col = self.i, self.line, self._col(self.i)
        two = src[self.i:self.i + 2]
        if len(two) == 2 and two in PUNCT:
            self.i += 2
            self._emit(PUNCT[two], start, line, col)
            return
        c = src[self.i]
        self.i += 1
        if c not in PUNCT:
            self._emit("ILLEGAL", start, line, col, f"unexpected character {c!r}")
            return
        if c in "([{":
            self._brackets.append(c)
        elif c in ")]}" and self._brackets:
            self._brackets.pop()
        self._emit(PUNCT[c], start, line, col)


def tokenize(source: str) -> tuple[list[Tok], list[Comment]]:
    """Tokens (ending with ``$END``) and comments of ``source``."""
    lx = Lexer(source)
    tokens = lx.tokenize()
    return tokens, lx.comments
