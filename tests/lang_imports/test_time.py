"""``import "time"``: timeish parsing, timespace fields and functions, and a mockable ``time.now``."""

from __future__ import annotations

import datetime as dt

import pytest

from jobguard.lang import compile_policy
from jobguard.lang.imports import time as time_import

from .policy_eval import error_of, passes, value_of

T = '"2019-11-16T01:20:30Z"'


@pytest.mark.parametrize("attr,expected", [
    ("hour", 1), ("minute", 20), ("second", 30), ("day", 16), ("month", 11), ("month_name", "November"),
    ("weekday", 6), ("weekday_name", "Saturday"), ("year", 2019), ("unix", 1573867230),
    ("unix_nano", 1573867230000000000), ("zone", 0), ("zone_string", "+00:00"), ("nanosecond", 0),
])
def test_timespace_fields(attr, expected):
    assert value_of(f"time.load({T}).{attr}", "time") == expected


@pytest.mark.parametrize("expr,expected", [
    ('time.load("2019-11-16T01:20:30-08:00").zone', -28800),
    ('time.load("2019-11-16T01:20:30-08:00").zone_string', "-08:00"),
    ('time.load("2019-11-16T01:20:30-08:00").hour', 1),  # fields are in the time's own offset
    ('time.load("2019-11-16T01:20:30+05:45").zone_string', "+05:45"),
    ('time.load("2019-11-16T01:20:30.123456789Z").nanosecond', 123456789),
    ('time.load("2019-11-16T01:20:30.5Z").unix_nano', 1573867230500000000),
    (f"time.load({T}).before(\"2019-11-15T01:20:30Z\")", False),
    (f"time.load({T}).after(\"2019-11-15T01:20:30Z\")", True),
    (f"time.load({T}).equal(\"2019-11-15T01:20:30Z\")", False),
    (f"time.load({T}).equal(\"2019-11-15T17:20:30-08:00\")", True),  # the same instant, another offset
    (f"time.load({T}).equal(\"2019-11-16T09:20:30+08:00\")", True),  # the same instant
    (f"time.load({T}).equal(1573867230)", True),
    (f"time.load({T}).add(time.hour * 1).hour", 2), (f"time.load({T}).add(time.minute * 1).minute", 21),
    (f"time.load({T}).add(time.second * 1).second", 31),
    (f"time.load({T}).add(time.millisecond * 1).nanosecond", 1000000),
    (f"time.load({T}).add(time.microsecond * 1).nanosecond", 1000),
    (f"time.load({T}).add(time.nanosecond * 1).nanosecond", 1),
    (f"time.load({T}).add(-1 * time.hour).day", 16), (f"time.load({T}).add(-2 * time.hour).day", 15),
    (f"time.load({T}).sub(\"2019-11-16T04:20:30Z\")", -3 * 3600 * 10**9),
    ('time.load("2019-11-16T04:20:30Z").add(time.load(' + T + ').sub("2019-11-16T04:20:30Z")).equal(' + T + ")",
     True),
    ("time.load(0).year", 1970), ("time.load(-86400).day", 31),
    ("time.hour", 3600 * 10**9), ("time.minute", 60 * 10**9), ("time.second", 10**9), ("time.millisecond", 10**6),
    ("time.microsecond", 1000), ("time.nanosecond", 1),
])
def test_values(expr, expected):
    assert value_of(expr, "time") == expected


@pytest.mark.parametrize("text", [
    "2019-11-16", "2019-11-16 01:20:30Z", "2019-11-16T01:20:30", "2019-13-01T00:00:00Z", "2019-02-30T00:00:00Z",
    "2019-11-16T25:00:00Z", "2019-11-16T01:20:30+25:00", " 2019-11-16T01:20:30Z", "yesterday",
])
def test_load_refuses_what_is_not_rfc3339(text):
    assert "time.load: cannot parse" in error_of(f'time.load("{text}")', "time").message


@pytest.mark.parametrize("expr,message", [
    ("time.load(1.5)", "expected an RFC 3339 string or Unix seconds (int), got float"),
    (f'time.load({T}).add("1h")', "time.add: the duration must be an int"),
    (f"time.load({T}).before([1])", "got list"),
    (f"time.load({T}).add(time.hour * 24 * 365 * 9000)", "out of the supported range"),
])
def test_errors(expr, message):
    assert message in error_of(expr, "time").message


def test_now_is_mockable_and_fixed():
    frozen = time_import.module(now="2024-03-01T14:05:06+01:00")
    policy = compile_policy('import "time"\nmain = rule { time.now.year == 2024 and time.now.hour == 14 and '
                            'time.now.zone == 3600 and time.now.weekday_name == "Friday" }')
    assert policy.evaluate(imports={"time": frozen}).result is True
    at_epoch = time_import.module(now=0)
    assert compile_policy('import "time"\nmain = rule { time.now.unix == 0 }').evaluate(
        imports={"time": at_epoch}).result is True
    naive = time_import.module(now=dt.datetime(2024, 3, 1, 14, 5, 6, 250000))  # naive datetimes are UTC
    assert compile_policy('import "time"\nmain = rule { time.now.nanosecond == 250000000 and time.now.zone == 0 }'
                          ).evaluate(imports={"time": naive}).result is True


def test_now_is_the_evaluation_time_in_utc():
    before = dt.datetime.now(dt.timezone.utc).timestamp()
    got = value_of("time.now.unix", "time")
    assert before - 1 <= got <= dt.datetime.now(dt.timezone.utc).timestamp() + 1
    assert value_of("time.now.zone_string", "time") == "+00:00"
    assert passes('import "time"\na = time.now.unix_nano\nb = time.now.unix_nano\nmain = rule { a == b }')
