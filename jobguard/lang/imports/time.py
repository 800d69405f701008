"""``import "time"``: the evaluation's time (``time.now``), ``time.load(timeish)`` and duration units.

As Sentinel documents it:

* ``time.now`` is fixed for one evaluation (the first use), in UTC. It is mockable: ``module(now=...)`` takes a
  datetime, a timeish value or a timespace, and a test case may replace the whole import (``mock "time"``).
* A *timeish* value is an int (seconds since the Unix epoch) or an RFC 3339 string, ``2006-01-02T15:04:05Z`` or
  with an offset ``2006-01-02T15:04:05+07:00`` (fractional seconds allowed, as Go's parser allows them). Anything
  else is an error naming the value.
* Durations are ints in nanoseconds: ``time.nanosecond`` ... ``time.hour``.
* A timespace has ``year``, ``month``, ``month_name``, ``day``, ``hour``, ``minute``, ``second``, ``weekday``
  (0 = Sunday), ``weekday_name``, ``unix``, ``unix_nano``, ``zone`` (offset in seconds), ``zone_string``
  (``+HH:MM``) and ``nanosecond`` (a jobguard extension), all in the time's own offset; and the functions
  ``add(duration)`` (a new timespace), ``sub(timeish)`` (nanoseconds, this minus that), ``before``, ``after``
  and ``equal`` (taking a timeish value or a timespace).

Times keep nanosecond precision (an int of nanoseconds plus the UTC offset), unlike Python's datetime.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from jobguard.lang.imports._support import name_methods, named
from jobguard.lang.imports.module import ImportModule, type_name
from jobguard.lang.values import UNDEFINED, SentinelObject

NAME = "time"

NS = 1
US = 1000
MS = 1000 * US
SECOND = 1000 * MS
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_EPOCH = dt.datetime(1970, 1, 1)
_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))",
                      re.ASCII)


@name_methods("time")
class TimeValue(SentinelObject):
    """A timespace: an instant (``ns`` since the epoch) seen at a UTC offset (``offset`` seconds)."""

    type_name = "time"
    __slots__ = ("ns", "offset", "_local")

    _FIELDS = ("year", "month", "month_name", "day", "hour", "minute", "second", "nanosecond", "weekday",
               "weekday_name", "unix", "unix_nano", "zone", "zone_string")
    _METHODS = ("add", "sub", "before", "after", "equal")

    def __init__(self, ns: int, offset: int = 0):
        self.ns = ns
        self.offset = offset
        self._local: dt.datetime | None = None

    @classmethod
    def from_datetime(cls, when: dt.datetime) -> TimeValue:
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        off = when.utcoffset() or dt.timedelta(0)
        local = when.replace(tzinfo=None)
        delta = local - _EPOCH - off
        ns = (delta.days * 86400 + delta.seconds) * SECOND + delta.microseconds * US
        return cls(ns, int(off.total_seconds()))

    def local(self) -> dt.datetime:
        """The wall-clock time at the offset, to the second (nanoseconds are kept apart)."""
        if self._local is None:
            try:
                self._local = _EPOCH + dt.timedelta(seconds=self.ns // SECOND + self.offset)
            except OverflowError:
                raise ValueError("the time is out of the supported range (years 1 to 9999)") from None
        return self._local

    def get_attr(self, name: str) -> Any:
        if name in self._METHODS:
            return getattr(self, "fn_" + name)
        if name not in self._FIELDS:
            return UNDEFINED
        if name == "unix_nano":
            return self.ns
        if name == "unix":
            return self.ns // SECOND
        if name == "nanosecond":
            return self.ns % SECOND
        if name == "zone":
            return self.offset
        if name == "zone_string":
            sign = "-" if self.offset < 0 else "+"
            minutes = abs(self.offset) // 60
            return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        w = self.local()
        if name == "weekday":
            return (w.weekday() + 1) % 7
        if name == "weekday_name":
            return _WEEKDAYS[(w.weekday() + 1) % 7]
        if name == "month_name":
            return _MONTHS[w.month - 1]
        return getattr(w, name)

    def attr_names(self) -> list[str]:
        return sorted(self._FIELDS + self._METHODS)

    def fn_add(self, duration: Any) -> TimeValue:
        if type(duration) is not int:
            raise TypeError(f"the duration must be an int (nanoseconds), got {type_name(duration)}")
        moved = TimeValue(self.ns + duration, self.offset)
        moved.local()  # range check now, not at the first attribute read
        return moved

    def fn_sub(self, other: Any) -> int:
        return self.ns - load(other).ns

    def fn_before(self, other: Any) -> bool:
        return self.ns < load(other).ns

    def fn_after(self, other: Any) -> bool:
        return self.ns > load(other).ns

    def fn_equal(self, other: Any) -> bool:
        return self.ns == load(other).ns

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeValue) and self.ns == other.ns and self.offset == other.offset

    def __hash__(self) -> int:
        return hash((self.ns, self.offset))

    def __repr__(self) -> str:
        return f"TimeValue({format_rfc3339(self)})"


def format_rfc3339(t: TimeValue) -> str:
    """RFC 3339 text of a timespace (nanoseconds only when not zero)."""
    w = t.local()
    frac = t.ns % SECOND
    text = w.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac:09d}".rstrip("0") if frac else "")
    return text + ("Z" if t.offset == 0 else t.get_attr("zone_string"))


def _parse(text: str) -> TimeValue:
    m = _RFC3339.fullmatch(text)
    if m is None:
        raise ValueError(f"cannot parse {text!r}: expected RFC 3339, like 2006-01-02T15:04:05Z or "
                         f"2006-01-02T15:04:05+07:00")
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    frac = (m.group(7) or "")[:9].ljust(9, "0")
    offset = 0
    if not m.group(8):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            raise ValueError(f"cannot parse {text!r}: bad UTC offset")
        offset = (oh * 3600 + om * 60) * (-1 if m.group(9) == "-" else 1)
    try:
        local = dt.datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ValueError(f"cannot parse {text!r}: {exc}") from None
    delta = local - _EPOCH
    ns = (delta.days * 86400 + delta.seconds - offset) * SECOND + int(frac)
    return TimeValue(ns, offset)


@named("time.load")
def load(value: Any) -> TimeValue:
    """A timespace from a timeish value: Unix seconds (int) or RFC 3339 text; a timespace passes through."""
    if type(value) is TimeValue:
        return value
    if type(value) is int:
        t = TimeValue(value * SECOND, 0)
        t.local()
        return t
    if type(value) is str:
        return _parse(value)
    if value is UNDEFINED:
        raise TypeError("the time is undefined")
    raise TypeError(f"expected an RFC 3339 string or Unix seconds (int), got {type_name(value)}")


def _now_value(now: Any) -> TimeValue:
    if isinstance(now, dt.datetime):
        return TimeValue.from_datetime(now)
    return load(now)


def module(now: Any = None) -> ImportModule:
    """A fresh module for one evaluation; ``now`` (datetime, timeish or timespace) fixes ``time.now``."""
    return ImportModule(
        {"load": load, "nanosecond": NS, "microsecond": US, "millisecond": MS, "second": SECOND,
         "minute": MINUTE, "hour": HOUR},
        lazy={"now": lambda: _now_value(now if now is not None else dt.datetime.now(dt.timezone.utc))},
    )
