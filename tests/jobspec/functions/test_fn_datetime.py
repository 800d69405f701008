"""``formatdate`` and ``timeadd``: cty's date mnemonics, Go's RFC 3339 parsing and duration syntax."""

import pytest

from jobguard.jobspec.functions import ArgumentError, FunctionError, call_function


def formatdate(pattern, ts):
    return call_function("formatdate", [pattern, ts])


@pytest.mark.parametrize(("pattern", "expected"), [
    ("DD MMM YYYY hh:mm ZZZ", "02 Jan 2006 15:04 UTC"),
    ("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "Monday, 02-Jan-06 15:04:05 UTC"),
    ("EEE, DD MMM YYYY hh:mm:ss ZZZ", "Mon, 02 Jan 2006 15:04:05 UTC"),
    ("MMM DD, YYYY", "Jan 02, 2006"),
    ("HH:mmaa", "03:04pm"),
    ("H:mAA", "3:4PM"),
    ("M/D/YY", "1/2/06"),
    ("YYYY-MM-DD'T'hh:mm:ssZ", "2006-01-02T15:04:05Z"),
    ("'hello ''world'''", "hello 'world'"),
    ("''", "'"),
    ("ZZZZ ZZZZZ", "+0000 +00:00"),
])
def test_formatdate(pattern, expected):
    assert formatdate(pattern, "2006-01-02T15:04:05Z") == expected


def test_formatdate_keeps_offsets():
    assert formatdate("hh:mm Z ZZZ ZZZZZ", "2017-11-22T00:00:00-08:00") == "00:00 -08:00 -0800 -08:00"
    assert formatdate("s ss", "2017-11-22T00:00:07.123+00:00") == "7 07"
    assert formatdate("Z", "2017-11-22T00:00:00+00:00") == "Z"


@pytest.mark.parametrize(("pattern", "detail"), [
    ("YYY", 'invalid date format verb "YYY": year must either be "YY" or "YYYY"'),
    ("MMMMM", 'invalid date format verb "MMMMM": month must be "M", "MM", "MMM", or "MMMM"'),
    ("ZZ", 'invalid date format verb "ZZ": timezone must be Z, ZZZZ, or ZZZZZ'),
    ("a", 'invalid date format verb "a": must be "aa"'),
    ("x", 'invalid date format verb "x"'),
    ("'abc", "unterminated literal '"),
])
def test_formatdate_format_errors(pattern, detail):
    with pytest.raises(ArgumentError) as exc:
        formatdate(pattern, "2006-01-02T15:04:05Z")
    assert exc.value.arg_index == 0
    assert exc.value.detail == f'Invalid value for "format" parameter: {detail}.'


@pytest.mark.parametrize(("ts", "message"), [
    ("2006-01-02", "not a valid RFC3339 timestamp: missing required time introducer 'T'"),
    ("2006-01-02T15:04:05", "not a valid RFC3339 timestamp: end of string before UTC offset"),
    ("2006-01-02 15:04:05Z", "not a valid RFC3339 timestamp: missing required time introducer 'T'"),
    ("06-01-02T15:04:05Z", 'not a valid RFC3339 timestamp: cannot use "06-01-02T15:04:05Z" as year'),
    ("2006-1-02T15:04:05Z", 'not a valid RFC3339 timestamp: cannot use "1-02T15:04:05Z" as month'),
    ("2006-13-02T15:04:05Z", 'not a valid RFC3339 timestamp: cannot use "-02T15:04:05Z" as month'),
    ("2006-01-02T15:04:05Zjunk", 'not a valid RFC3339 timestamp: cannot use "junk" as timestamp segment'),
    ("2006-02-31T15:04:05Z", "not a valid RFC3339 timestamp: day out of range"),
    ("", "not a valid RFC3339 timestamp: end of string before year"),
    ("2006", 'not a valid RFC3339 timestamp: end of string where "-" is expected'),
])
def test_formatdate_timestamp_errors(ts, message):
    with pytest.raises(ArgumentError) as exc:
        formatdate("YYYY", ts)
    assert exc.value.arg_index == 1
    assert exc.value.detail == f'Invalid value for "time" parameter: {message}.'


@pytest.mark.parametrize(("ts", "duration", "expected"), [
    ("2017-11-22T00:00:00Z", "10m", "2017-11-22T00:10:00Z"),
    ("2017-11-22T00:00:00Z", "-1h", "2017-11-21T23:00:00Z"),
    ("2017-11-22T00:00:00Z", "1h30m15s", "2017-11-22T01:30:15Z"),
    ("2017-11-22T00:00:00Z", "1.5h", "2017-11-22T01:30:00Z"),
    ("2017-11-22T00:00:00Z", "0", "2017-11-22T00:00:00Z"),
    ("2017-11-22T00:00:00Z", "1500ms", "2017-11-22T00:00:01Z"),
    ("2017-11-22T23:30:00-05:00", "1h", "2017-11-23T00:30:00-05:00"),
    ("2017-12-31T23:59:59.5Z", "500ms", "2018-01-01T00:00:00Z"),
])
def test_timeadd(ts, duration, expected):
    assert call_function("timeadd", [ts, duration]) == expected


@pytest.mark.parametrize(("duration", "message"), [
    ("1", 'time: missing unit in duration "1"'),
    ("1x", 'time: unknown unit "x" in duration "1x"'),
    ("", 'time: invalid duration ""'),
    ("h", 'time: invalid duration "h"'),
    ("1h-5m", 'time: unknown unit "h-" in duration "1h-5m"'),
])
def test_timeadd_duration_errors(duration, message):
    with pytest.raises(FunctionError) as exc:
        call_function("timeadd", ["2017-11-22T00:00:00Z", duration])
    assert exc.value.message == message


def test_timeadd_bad_timestamp_is_a_call_error():
    with pytest.raises(FunctionError) as exc:
        call_function("timeadd", ["yesterday", "1h"])
    assert exc.value.message.startswith("not a valid RFC3339 timestamp")
