"""JSON the way cty's ``json`` package writes and reads it (Go ``encoding/json`` underneath).

Why not ``json.dumps``: Go escapes ``<``, ``>``, ``&``, U+2028 and U+2029 (HTML-safe), writes ``\\b``/``\\f`` and
lowercase ``\\u00xx`` escapes, keeps other non-ASCII characters literal, and cty prints numbers with all their
digits and never an exponent. Decoding reports Go's syntax-error messages.
"""

from __future__ import annotations

from typing import Any

from jobguard.jobspec.functions.numbers import format_number, is_number, parse_number

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
            "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def quote_string(text: str) -> str:
    """Go ``json.Marshal`` of a string (HTML-safe escaping)."""
    out = ['"']
    for ch in text:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def encode(value: Any) -> str:
    """cty ``json.Marshal``: compact, object keys sorted, numbers as cty prints them."""
    parts: list[str] = []
    _encode(value, parts)
    return "".join(parts)


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif is_number(value):
        text = format_number(value)
        if text in ("+Inf", "-Inf"):
            raise ValueError("value must be a finite number")
        out.append(text)
    elif isinstance(value, str):
        out.append(quote_string(value))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _encode(v, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for i, k in enumerate(sorted(value, key=lambda s: s.encode("utf-8", "surrogatepass"))):
            if i:
                out.append(",")
            out.append(quote_string(k))
            out.append(":")
            _encode(value[k], out)
        out.append("}")
    else:
        raise ValueError(f"unsupported value {value!r}")


class JSONDecodeError(ValueError):
    """Invalid JSON; the message is what cty (Go's decoder) reports."""


def _quote_char(ch: str) -> str:
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    from jobguard.jobspec.functions.setorder import go_quote

    return "'" + go_quote(ch)[1:-1] + "'"


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def ws(self) -> None:
        s, i = self.s, self.i
        while i < len(s) and s[i] in " \t\r\n":
            i += 1
        self.i = i

    def eof(self) -> JSONDecodeError:
        """Input ended inside a token (Go: io.ErrUnexpectedEOF)."""
        return JSONDecodeError("unexpected EOF")

    def token_eof(self) -> JSONDecodeError:
        """Input ended where a new token was due (Go's ``Decoder.Token`` returns io.EOF)."""
        return JSONDecodeError("EOF")

    def bad(self, context: str) -> JSONDecodeError:
        return JSONDecodeError(f"invalid character {_quote_char(self.s[self.i])} {context}")

    def value(self) -> Any:
        self.ws()
        if self.i >= len(self.s):
            raise self.token_eof()
        ch = self.s[self.i]
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        if ch == '"':
            return self.string()
        if ch == "-" or ch.isdigit() and ch.isascii():
            return self.number()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if ch == word[0]:
                for j, expected in enumerate(word):
                    if self.i + j >= len(self.s):
                        raise self.eof()
                    if self.s[self.i + j] != expected:
                        self.i += j
                        raise self.bad(f"in literal {word} (expecting {_quote_char(expected)})")
                self.i += len(word)
                return val
        raise self.bad("looking for beginning of value")

    def _empty(self, close: str) -> bool:
        """Step over an opening bracket; True (and step over ``close`` too) if the container is empty."""
        self.i += 1
        self.ws()
        if self.i < len(self.s) and self.s[self.i] == close:
            self.i += 1
            return True
        return False

    def _more(self, close: str, context: str) -> bool:
        """After a member: True on ``,`` (another follows), False on ``close`` (the container ended)."""
        self.ws()
        if self.i >= len(self.s):
            raise self.token_eof()
        ch = self.s[self.i]
        if ch == "," or ch == close:
            self.i += 1
            return ch == ","
        raise self.bad(context)

    def obj(self) -> dict:
        out: dict[str, Any] = {}
        if self._empty("}"):
            return out
        while True:
            self.ws()
            if self.i >= len(self.s):
                raise self.token_eof()
            if self.s[self.i] != '"':
                raise self.bad("looking for beginning of object key string")
            key = self.string()
            self.ws()
            if self.i >= len(self.s):
                raise self.token_eof()
            if self.s[self.i] != ":":
                raise self.bad("after object key")
            self.i += 1
            val = self.value()
            if key in out:
                raise JSONDecodeError(f"duplicate {quote_string(key)} property in JSON object")
            out[key] = val
            if not self._more("}", "after object key:value pair"):
                return out

    def arr(self) -> list:
        out: list[Any] = []
        if self._empty("]"):
            return out
        while True:
            out.append(self.value())
            if not self._more("]", "after array element"):
                return out

    def string(self) -> str:
        self.i += 1
        s = self.s
        out: list[str] = []
        while True:
            if self.i >= len(s):
                raise self.eof()
            ch = s[self.i]
            if ch == '"':
                self.i += 1
                return "".join(out)
            if ch == "\\":
                self.i += 1
                if self.i >= len(s):
                    raise self.eof()
                esc = s[self.i]
                simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
                if esc in simple:
                    out.append(simple[esc])
                    self.i += 1
                elif esc == "u":
                    code = self._hex4()
                    if 0xD800 <= code < 0xDC00 and s.startswith("\\u", self.i):
                        save = self.i
                        self.i += 1
                        low = self._hex4()
                        if 0xDC00 <= low < 0xE000:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        else:
                            self.i = save
                            code = 0xFFFD
                    elif 0xD800 <= code < 0xE000:
                        code = 0xFFFD
                    out.append(chr(code))
                else:
                    raise self.bad("in string escape code")
                continue
            if ch < " ":
                raise self.bad("in string literal")
            out.append(ch)
            self.i += 1

    def _hex4(self) -> int:
        self.i += 1
        digits = ""
        for _ in range(4):
            if self.i >= len(self.s):
                raise self.eof()
            c = self.s[self.i]
            if c not in "0123456789abcdefABCDEF":
                raise self.bad("in \\u hexadecimal character escape")
            digits += c
            self.i += 1
        return int(digits, 16)

    def _digit_at(self, i: int, context: str) -> None:
        """Go's scanner needs a digit at ``i`` (after ``-``, ``.`` or an exponent): EOF or ``bad`` otherwise."""
        if i >= len(self.s):
            self.i = i
            raise self.eof()
        if not ("0" <= self.s[i] <= "9"):
            self.i = i
            raise self.bad(context)

    def number(self) -> Any:
        s, start = self.s, self.i
        i = start
        if s[i] == "-":
            i += 1
            self._digit_at(i, "in numeric literal")
        if s[i] == "0":
            i += 1
        else:
            while i < len(s) and "0" <= s[i] <= "9":
                i += 1
        if i < len(s) and s[i] == ".":
            i += 1
            self._digit_at(i, "after decimal point in numeric literal")
            while i < len(s) and "0" <= s[i] <= "9":
                i += 1
        if i < len(s) and s[i] in "eE":
            i += 1
            if i < len(s) and s[i] in "+-":
                i += 1
            self._digit_at(i, "in exponent of numeric literal")
            while i < len(s) and "0" <= s[i] <= "9":
                i += 1
        self.i = i
        return parse_number(s[start:i])

def decode(text: str) -> Any:
    """cty ``json.Unmarshal`` with the implied type: objects -> dict, arrays -> list, numbers exact."""
    parser = _Parser(text)
    value = parser.value()
    parser.ws()
    if parser.i < len(text):
        # cty reads with a streaming decoder: anything after the first value is a second value.
        raise JSONDecodeError("extraneous data after JSON object")
    return value
