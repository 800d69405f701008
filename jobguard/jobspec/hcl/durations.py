"""Go's ``time.ParseDuration``: jobspec durations ("30s", "1h30m", "1.5h") become integer nanoseconds."""

from __future__ import annotations

import re

_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}
_PART = re.compile(r"(\d*\.?\d*)([^\d.]*)")


class DurationError(ValueError):
    """Worded as Go's error (``time: invalid duration "x"``)."""


def parse_duration(text: str) -> int:
    """Nanoseconds for a Go duration string."""
    orig = text
    quoted = '"' + orig + '"'
    sign = 1
    if not text:
        raise DurationError(f"time: invalid duration {quoted}")
    if text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise DurationError(f"time: invalid duration {quoted}")
    total = 0.0
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        number, unit = m.group(1), m.group(2)
        if not number or number == ".":
            raise DurationError(f"time: invalid duration {quoted}")
        if not unit:
            raise DurationError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise DurationError(f'time: unknown unit "{unit}" in duration {quoted}')
        if "." in number:
            whole, frac = number.split(".", 1)
            total += int(whole or "0") * _UNITS[unit]
            if frac:
                total += int(frac) * _UNITS[unit] // 10 ** len(frac)
        else:
            total += int(number) * _UNITS[unit]
        pos = m.end()
    if total > 2 ** 63 - 1:
        raise DurationError(f"time: invalid duration {quoted}")
    return sign * int(total)
