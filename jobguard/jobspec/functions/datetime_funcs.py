"""``formatdate`` and ``timeadd`` (cty datetime.go): RFC 3339 parsing with Go's rules and cty's error wording,
Go ``time.ParseDuration``, and cty's date-format mnemonics (``YYYY-MM-DD'T'hh:mm:ssZ``).

Times are kept as (naive UTC datetime, offset seconds) so that the input's UTC offset is preserved in the output,
as Go's ``time.Time`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from jobguard.jobspec.functions.setorder import go_quote
from jobguard.jobspec.functions.spec import Param, arg_fail, fail, register
from jobguard.jobspec.functions.types import STRING

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class TimeError(ValueError):
    """A timestamp or duration Go would reject; the message is cty's / Go's."""


@dataclass
class GoTime:
    """A wall-clock time with its UTC offset (seconds east of UTC)."""

    local: datetime
    offset: int

    def add(self, nanos: int) -> GoTime:
        return GoTime(self.local + timedelta(microseconds=nanos // 1000), self.offset)

    def zone(self, colon: bool, z_for_utc: bool) -> str:
        if z_for_utc and self.offset == 0:
            return "Z"
        sign = "-" if self.offset < 0 else "+"
        off = abs(self.offset) // 60
        hh, mm = divmod(off, 60)
        return f"{sign}{hh:02d}:{mm:02d}" if colon else f"{sign}{hh:02d}{mm:02d}"

    def rfc3339(self) -> str:
        t = self.local
        return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}" + \
            self.zone(True, True)


def _what_error(layout: str, value: str, range_error: bool = False) -> TimeError:
    names = {"2006": "year", "01": "month", "02": "day of month", "15": "hour", "04": "minute", "05": "second",
             "Z07:00": "UTC offset"}
    if layout == "T":
        return TimeError("not a valid RFC3339 timestamp: missing required time introducer 'T'")
    if layout in (":", "-"):
        if value == "":
            return TimeError(f'not a valid RFC3339 timestamp: end of string where "{layout}" is expected')
        return TimeError(f"not a valid RFC3339 timestamp: found {go_quote(value)} where \"{layout}\" is expected")
    what = names.get(layout, "timestamp segment")
    if value == "":
        return TimeError(f"not a valid RFC3339 timestamp: end of string before {what}")
    return TimeError(f"not a valid RFC3339 timestamp: cannot use {go_quote(value)} as {what}")


def _num(value: str, fixed: bool) -> tuple[int, str] | None:
    if not value[:1].isdigit() or not value[:1].isascii():
        return None
    if len(value) < 2 or not (value[1].isdigit() and value[1].isascii()):
        if fixed:
            return None
        return int(value[0]), value[1:]
    return int(value[:2]), value[2:]


def parse_timestamp(text: str) -> GoTime:
    """Go ``time.Parse(time.RFC3339, text)`` with cty's translation of parse errors."""
    value = text
    if len(value) < 4 or not value[:4].isdigit() or not value[:4].isascii():
        raise _what_error("2006", value)
    year, value = int(value[:4]), value[4:]
    fields = []
    for prefix, layout, fixed, lo, hi, _name in (("-", "01", True, 1, 12, "month"), ("-", "02", True, 0, 31, "day"),
                                                 ("T", "15", False, 0, 23, "hour"), (":", "04", True, 0, 59, "minute"),
                                                 (":", "05", True, 0, 59, "second")):
        if not value.startswith(prefix):
            raise _what_error(prefix, value)
        value = value[len(prefix):]
        parsed = _num(value, fixed)
        if parsed is None:
            raise _what_error(layout, value)
        num, value = parsed
        if num < lo or num > hi:
            raise _what_error(layout, value, True)
        fields.append(num)
    month, day, hour, minute, second = fields
    nanos = 0
    if len(value) >= 2 and value[0] in ".," and value[1].isdigit():
        j = 1
        while j < len(value) and value[j].isdigit() and value[j].isascii():
            j += 1
        digits = value[1:j][:9]
        nanos = int(digits.ljust(9, "0"))
        value = value[j:]
    if value.startswith("Z"):
        offset, value = 0, value[1:]
    else:
        if len(value) < 6 or value[3] != ":" or value[0] not in "+-":
            raise _what_error("Z07:00", value)
        hh, mm = _num(value[1:3], True), _num(value[4:6], True)
        if hh is None or mm is None:
            raise _what_error("Z07:00", value)
        if hh[0] > 24 or mm[0] > 60:
            raise _what_error("Z07:00", value[6:], True)
        offset = (hh[0] * 3600 + mm[0] * 60) * (-1 if value[0] == "-" else 1)
        value = value[6:]
    if value:
        raise TimeError(f"not a valid RFC3339 timestamp: cannot use {go_quote(value)} as timestamp segment")
    try:
        local = datetime(year, month, day, hour, minute, second, nanos // 1000)
    except ValueError:
        raise TimeError("not a valid RFC3339 timestamp: day out of range") from None
    return GoTime(local, offset)


_UNITS = {"ns": 1, "us": 1000, "\u00b5s": 1000, "\u03bcs": 1000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}
_DUR_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def parse_duration(text: str) -> int:
    """Go ``time.ParseDuration`` -> nanoseconds; errors use Go's ``time: ...`` messages."""
    orig = text
    quoted = go_quote(orig)
    s = text
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise TimeError(f"time: invalid duration {quoted}")
    total = 0
    while s:
        m = _DUR_PART.match(s)
        number, rest = m.group(1), s[m.end(1):]
        if number in ("", "."):
            raise TimeError(f"time: invalid duration {quoted}")
        unit_end = 0
        while unit_end < len(rest) and not (rest[unit_end] == "." or rest[unit_end].isdigit()):
            unit_end += 1
        unit = rest[:unit_end]
        if unit == "":
            raise TimeError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise TimeError(f"time: unknown unit {go_quote(unit)} in duration {quoted}")
        whole, _, frac = number.partition(".")
        scale = _UNITS[unit]
        value = int(whole or "0") * scale
        if frac:
            value += int(frac) * scale // (10 ** len(frac))
        total += value
        if total > 2**63 - 1:
            raise TimeError(f"time: invalid duration {quoted}")
        s = rest[unit_end:]
    return -total if neg else total


def _two(n: int) -> str:
    return f"{n:02d}"


def _format_date(fmt: str, t: GoTime) -> str:
    out: list[str] = []
    i, n = 0, len(fmt)
    lt = t.local
    while i < n:
        ch = fmt[i]
        if ch == "'":
            if i + 1 < n and fmt[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            j = i + 1
            lit: list[str] = []
            closed = False
            while j < n:
                if fmt[j] == "'":
                    if j + 1 < n and fmt[j + 1] == "'":
                        lit.append("'")
                        j += 2
                        continue
                    closed = True
                    break
                lit.append(fmt[j])
                j += 1
            if not closed:
                raise arg_fail(0, "unterminated literal '")
            out.append("".join(lit))
            i = j + 1
            continue
        if ch.isascii() and ch.isalpha():
            j = i
            while j < n and fmt[j] == ch:
                j += 1
            tok = fmt[i:j]
            out.append(_verb(tok, t, lt))
            i = j
            continue
        j = i
        while j < n and fmt[j] != "'" and not (fmt[j].isascii() and fmt[j].isalpha()):
            j += 1
        out.append(fmt[i:j])
        i = j
    return "".join(out)


# Verbs printed as a plain number ("D") or zero-padded to two digits ("DD"): what Go calls them, and the field.
_NUMERIC_VERBS: dict[str, tuple[str, Callable[[datetime], int]]] = {
    "D": ("day of month", lambda lt: lt.day),
    "h": ("24-hour", lambda lt: lt.hour),
    "H": ("12-hour", lambda lt: lt.hour % 12 or 12),
    "m": ("minute", lambda lt: lt.minute),
    "s": ("second", lambda lt: lt.second),
}


def _verb(tok: str, t: GoTime, lt: datetime) -> str:
    c, n = tok[0], len(tok)
    q = go_quote(tok)

    def bad(what: str) -> Exception:
        return arg_fail(0, f"invalid date format verb {q}: {what}")

    numeric = _NUMERIC_VERBS.get(c)
    if numeric is not None:
        what, field = numeric
        if n in (1, 2):
            value = field(lt)
            return str(value) if n == 1 else _two(value)
        raise bad(f'{what} must either be "{c}" or "{c}{c}"')
    if c == "Y":
        if n == 2:
            return _two(lt.year % 100)
        if n == 4:
            return f"{lt.year:04d}"
        raise bad('year must either be "YY" or "YYYY"')
    if c == "M":
        options = {1: str(lt.month), 2: _two(lt.month), 3: _MONTHS[lt.month - 1][:3], 4: _MONTHS[lt.month - 1]}
        if n in options:
            return options[n]
        raise bad('month must be "M", "MM", "MMM", or "MMMM"')
    if c == "E":
        if n in (3, 4):
            name = _DAYS[lt.weekday()]
            return name[:3] if n == 3 else name
        raise bad('day of week must either be "EEE" or "EEEE"')
    if c in "Aa":
        if n != 2:
            raise bad(f'must be "{c}{c}"')
        marker = "AM" if lt.hour < 12 else "PM"
        return marker if c == "A" else marker.lower()
    if c == "Z":
        if n == 1:
            return t.zone(True, True)
        if n == 3:
            z = t.zone(False, False)
            return "UTC" if z == "+0000" else z
        if n == 4:
            return t.zone(False, False)
        if n == 5:
            return t.zone(True, False)
        raise bad("timezone must be Z, ZZZZ, or ZZZZZ")
    raise arg_fail(0, f"invalid date format verb {q}")


@register("formatdate", [Param("format", STRING), Param("time", STRING)])
def formatdate(fmt: str, time: str) -> str:
    try:
        t = parse_timestamp(time)
    except TimeError as exc:
        raise arg_fail(1, str(exc)) from None
    return _format_date(fmt, t)


@register("timeadd", [Param("timestamp", STRING), Param("duration", STRING)])
def timeadd(timestamp: str, duration: str) -> str:
    try:
        t = parse_timestamp(timestamp)
        nanos = parse_duration(duration)
        return t.add(nanos).rfc3339()
    except TimeError as exc:
        raise fail(str(exc)) from None
    except OverflowError:
        raise fail("time: invalid duration " + go_quote(duration)) from None

