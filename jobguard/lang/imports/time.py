"""The ``time`` import: ``time.now`` (fixed at the first use in an evaluation), ``time.load(value)``, and the
duration constants (nanoseconds, as Sentinel's ``time.hour`` etc.).

A time value exposes year, month, day, hour, minute, second, nanosecond, weekday (0 = Sunday), weekday_name,
month_name, unix, unix_nano, zone_string, and the methods add(duration), sub(other) (ns), before(other),
after(other), equal(other). Times are UTC unless the loaded string carries an offset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jobguard.lang.imports.module import ImportModule
from jobguard.lang.values import UNDEFINED, SentinelObject

NAME = "time"

NS = 1
US = 1000
MS = 1000 * US
SECOND = 1000 * MS
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


class TimeValue(SentinelObject):
    type_name = "time"

    def __init__(self, when: dt.datetime):
        self.when = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)

    def _ns(self) -> int:
        delta = self.when - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * SECOND + delta.microseconds * US

    def get_attr(self, name: str) -> Any:
        w = self.when
        simple = {
            "year": w.year, "month": w.month, "day": w.day, "hour": w.hour, "minute": w.minute,
            "second": w.second, "nanosecond": w.microsecond * US, "weekday": (w.weekday() + 1) % 7,
            "weekday_name": _WEEKDAYS[(w.weekday() + 1) % 7], "month_name": w.strftime("%B"),
            "unix": int(w.timestamp()), "zone_string": w.strftime("%z") or "+0000",
        }
        if name in simple:
            return simple[name]
        if name == "unix_nano":
            return self._ns()
        if name == "add":
            return lambda d: TimeValue(self.when + dt.timedelta(microseconds=_int(d) / US))
        if name == "sub":
            return lambda other: self._ns() - _time(other)._ns()
        if name == "before":
            return lambda other: self.when < _time(other).when
        if name == "after":
            return lambda other: self.when > _time(other).when
        if name == "equal":
            return lambda other: self.when == _time(other).when
        return UNDEFINED

    def attr_names(self) -> list[str]:
        return ["year", "month", "day", "hour", "minute", "second", "nanosecond", "weekday", "weekday_name",
                "month_name", "unix", "unix_nano", "zone_string", "add", "sub", "before", "after", "equal"]


def _int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"duration must be an int (nanoseconds), got {type(v).__name__}")
    return v


def _time(v: Any) -> TimeValue:
    return v if isinstance(v, TimeValue) else load(v)


def load(value: Any) -> TimeValue:
    """A time from an RFC 3339 string or a Unix timestamp in seconds."""
    if isinstance(value, TimeValue):
        return value
    if isinstance(value, bool):
        raise TypeError("time.load needs a string or int")
    if isinstance(value, int):
        return TimeValue(dt.datetime.fromtimestamp(value, tz=dt.timezone.utc))
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            return TimeValue(dt.datetime.fromisoformat(text))
        except ValueError:
            raise ValueError(f"time.load: cannot parse {value!r} as RFC 3339") from None
    raise TypeError(f"time.load needs a string or int, got {type(value).__name__}")


def module(now: dt.datetime | None = None) -> ImportModule:
    return ImportModule(
        {"load": load, "nanosecond": NS, "microsecond": US, "millisecond": MS, "second": SECOND,
         "minute": MINUTE, "hour": HOUR},
        lazy={"now": lambda: TimeValue(now or dt.datetime.now(dt.timezone.utc))},
    )
