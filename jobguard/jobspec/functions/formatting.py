"""``format`` and ``formatlist``: cty's printf dialect (format.go + format_fsm.rl), reproduced verb by verb.

The verb grammar is ``%`` flags(``0#- +``)* width(``[1-9][0-9]*``)? precision(``.[0-9]*``)? argindex(``[n]``)?
letter. Strings are padded and truncated in grapheme clusters; numbers go through Go's ``big.Float``/``big.Int``
formatting (see :mod:`numbers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobguard.jobspec.functions import ctyjson
from jobguard.jobspec.functions.errors import ConversionError
from jobguard.jobspec.functions.graphemes import grapheme_len, graphemes
from jobguard.jobspec.functions.numbers import float_text, go_format_float, go_format_int, is_number
from jobguard.jobspec.functions.spec import Param, arg_fail, fail, register
from jobguard.jobspec.limits import (
    MAX_FORMAT_PRECISION,
    MAX_FORMAT_WIDTH,
    MAX_STRING_LENGTH,
    charge_text,
    check_limit,
    check_string_length,
    measure_value,
)
from jobguard.jobspec.functions.types import BOOL, NUMBER, STRING, CtyList, ListType, SetType, TupleType, convert, \
    type_of


class FormatError(Exception):
    """A format-string problem; the message is cty's. ``arg_index`` is set when cty blames an argument."""

    def __init__(self, message: str, arg_index: int | None = None) -> None:
        super().__init__(message)
        self.arg_index = arg_index


@dataclass
class _Verb:
    raw: str
    offset: int
    argnum: int
    mode: str
    zero: bool = False
    sharp: bool = False
    plus: bool = False
    minus: bool = False
    space: bool = False
    width: int | None = None
    prec: int | None = None


def _bad_char(fmt: str, i: int) -> FormatError:
    ch = fmt[i] if i < len(fmt) else "\ufffd"
    offset = len(fmt[:i].encode("utf-8"))
    return FormatError(f"unrecognized format character {_rune_quote(ch)} at offset {offset}")


def _rune_quote(ch: str) -> str:
    if ch == "'":
        return "'\\''"
    from jobguard.jobspec.functions.setorder import go_quote

    inner = go_quote(ch)[1:-1].replace('\\"', '"')
    return f"'{inner}'"


def format_string(fmt: str, args: list[Any]) -> str:
    """Run cty's formatter; raises :class:`FormatError` with cty's message."""
    out: list[str] = []
    n = len(fmt)
    i = 0
    next_arg = 1
    max_used = 0
    length = 0  # of the output so far: many wide verbs together must stay within the string limit too
    while i < n:
        ch = fmt[i]
        if ch != "%":
            j = fmt.find("%", i)
            j = n if j == -1 else j
            out.append(fmt[i:j])
            length += j - i
            i = j
            continue
        if i + 1 < n and fmt[i + 1] == "%":
            out.append("%")
            i += 2
            continue
        start = i
        i += 1
        verb = _Verb("", len(fmt[:start].encode("utf-8")), next_arg, "")
        while i < n and fmt[i] in "0#- +":
            flag = fmt[i]
            if flag == "0":
                verb.zero = True
            elif flag == "#":
                verb.sharp = True
            elif flag == "-":
                verb.minus = True
            elif flag == " ":
                verb.space = True
            else:
                verb.plus = True
            i += 1
        if i < n and fmt[i] in "123456789":
            j = i
            while j < n and fmt[j].isdigit() and fmt[j].isascii():
                j += 1
            verb.width = _digits_value(fmt[i:j])
            check_limit(verb.width, MAX_FORMAT_WIDTH, "a format verb's width")
            i = j
        if i < n and fmt[i] == ".":
            j = i + 1
            while j < n and fmt[j].isdigit() and fmt[j].isascii():
                j += 1
            verb.prec = _digits_value(fmt[i + 1:j] or "0")
            i = j
        if i < n and fmt[i] == "[":
            i += 1
            if i >= n:
                raise FormatError(f"invalid format string starting at offset {len(fmt.encode('utf-8'))}")
            if fmt[i] not in "123456789":
                raise _bad_char(fmt, i)
            j = i
            while j < n and fmt[j].isdigit() and fmt[j].isascii():
                j += 1
            verb.argnum = int(fmt[i:j])
            i = j
            if i >= n:
                raise FormatError(f"invalid format string starting at offset {len(fmt.encode('utf-8'))}")
            if fmt[i] != "]":
                raise _bad_char(fmt, i)
            i += 1
        if i >= n:
            raise FormatError(f"invalid format string starting at offset {len(fmt.encode('utf-8'))}")
        if not (fmt[i].isascii() and fmt[i].isalpha()):
            raise _bad_char(fmt, i)
        verb.mode = fmt[i]
        i += 1
        verb.raw = fmt[start:i]
        if verb.prec is not None and verb.mode not in "sqvt":  # digits: %.1000000f would build a million
            check_limit(verb.prec, MAX_FORMAT_PRECISION, "a numeric format verb's precision")
        out.append(_format_one(verb, args))
        length += len(out[-1])
        check_string_length(length)
        max_used = max(max_used, verb.argnum)
        next_arg = verb.argnum + 1
    if max_used < len(args):
        # cty blames the first unused argument (index counted with the format string as argument 0)
        if max_used == 0:
            raise FormatError("too many arguments; no verbs in format string", max_used + 1)
        raise FormatError(f"too many arguments; only {max_used} used by format string", max_used + 1)
    return "".join(out)


def _digits_value(digits: str) -> int:
    """A width or precision; absurdly long ones are capped, never converted (a million-digit ``int()`` alone
    takes seconds), as they are over every limit anyway."""
    return int(digits) if len(digits) <= 12 else 10 ** 12


def _format_one(verb: _Verb, args: list[Any]) -> str:
    idx = verb.argnum - 1
    if idx >= len(args):
        raise FormatError(f'not enough arguments for "{verb.raw}" at {verb.offset}: need index {verb.argnum} but '
                          f"have {len(args)} total")
    arg = args[idx]
    if verb.mode != "v" and arg is None:
        raise FormatError(f'unsupported value for "{verb.raw}" at {verb.offset}: null value cannot be formatted')
    mode = verb.mode
    if mode == "v":
        return _as_is(verb, arg)
    if mode == "t":
        value = _conv(verb, arg, BOOL)
        return "true" if value else "false"
    if mode in "bdoxXeEfgG":
        num = _conv(verb, arg, NUMBER)
        if mode in "bdoxX":
            if isinstance(num, float):
                raise FormatError(f'unsupported value for "{verb.raw}" at {verb.offset}: an integer is required')
            return go_format_int(num, mode, width=verb.width, prec=verb.prec, plus=verb.plus, space=verb.space,
                                 minus=verb.minus, zero=verb.zero, sharp=verb.sharp)
        return go_format_float(num, mode, width=verb.width, prec=verb.prec, plus=verb.plus, space=verb.space,
                               minus=verb.minus, zero=verb.zero)
    if mode in "sq":
        text = _conv(verb, arg, STRING)
        if verb.prec is not None and verb.prec > 0:
            text = "".join(graphemes(text)[: verb.prec])
        if mode == "q":
            text = ctyjson.quote_string(text)
        return _pad(verb, text)
    raise FormatError(f"unsupported format verb {_rune_quote(mode)} in \"{verb.raw}\" at offset {verb.offset}")


def _conv(verb: _Verb, arg: Any, want: Any) -> Any:
    try:
        return convert(arg, want)
    except ConversionError as exc:
        raise FormatError(f'unsupported value for "{verb.raw}" at {verb.offset}: {exc}') from None


def _as_is(verb: _Verb, arg: Any) -> str:
    if not verb.sharp and arg is not None:
        if isinstance(arg, str):
            return _pad(verb, arg)
        if is_number(arg):
            return _pad(verb, float_text(arg, "g", -1))
    measure_value(arg, max_size=MAX_STRING_LENGTH)  # %v prints a value whole, shared parts each time
    try:
        text = ctyjson.encode(arg)
    except ValueError as exc:
        raise FormatError(f'unsupported value for "{verb.raw}" at {verb.offset}: {exc}') from None
    return _pad(verb, text)


def _pad(verb: _Verb, text: str) -> str:
    if verb.width is None:
        return text
    have = grapheme_len(text)
    if have >= verb.width:
        return text
    pads = ("0" if verb.zero else " ") * (verb.width - have)
    return text + pads if verb.minus else pads + text


@register("format", [Param("format", STRING)], var_param=Param("args", allow_null=True))
def format_(fmt: str, *args: Any) -> str:
    try:
        return format_string(fmt, list(args))
    except FormatError as exc:
        if exc.arg_index is not None:
            raise arg_fail(exc.arg_index, str(exc)) from None
        raise fail(str(exc)) from None


@register("formatlist", [Param("format", STRING)], var_param=Param("args", allow_null=True))
def formatlist(fmt: str, *args: Any) -> list:
    if not args:
        return CtyList([format_(fmt)], STRING)
    iter_len = -1
    chooser = -1
    sequences: list[bool] = []
    for i, arg in enumerate(args):
        is_seq = arg is not None and isinstance(type_of(arg), (ListType, SetType, TupleType))
        sequences.append(is_seq)
        if is_seq:
            if iter_len == -1:
                iter_len, chooser = len(arg), i
            elif len(arg) != iter_len:
                raise arg_fail(i + 1, f"argument {i + 1} has length {len(arg)}, which is inconsistent with argument "
                                      f"{chooser + 1} of length {iter_len}")
    if iter_len == 0:
        return CtyList([], STRING)
    if iter_len == -1:
        iter_len = 1
    out = []
    for n in range(iter_len):
        call_args = [arg[n] if seq else arg for arg, seq in zip(args, sequences, strict=False)]
        try:
            out.append(format_string(fmt, call_args))
        except FormatError as exc:
            raise fail(f"error on format iteration {n}: {exc}") from None
        charge_text(len(out[-1]))
    return CtyList(out, STRING)
