"""``import "version"``: parse versions and check them against constraints, like HashiCorp's go-version.

``version.new("1.0.0-alpha.1+001")`` returns a version object with ``major``, ``minor``, ``patch``, ``prerelease``,
``metadata`` and ``version`` attributes and comparison methods (``greater_than``/``gt``, ``greater_than_or_equals``/
``gte``, ``less_than``/``lt``, ``less_than_or_equals``/``lte``, ``equals``/``eq``) and ``satisfies(constraints)``
where constraints are go-version's comma-separated ``=``, ``!=``, ``>``, ``>=``, ``<``, ``<=`` and ``~>`` terms.
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import Any, ClassVar

from jobguard.lang.imports.module import ImportModule, require_string

NAME = "version"

VERSION_RE = re.compile(
    r"^v?(?P<segments>\d+(?:\.\d+)*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<meta>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
CONSTRAINT_RE = re.compile(r"^\s*(?P<op>~>|>=|<=|!=|=|>|<)?\s*(?P<version>v?\d\S*)\s*$")


def _pre_key(pre: str) -> tuple:
    parts = []
    for part in pre.split("."):
        parts.append((0, int(part), "") if part.isdigit() else (1, 0, part))
    return tuple(parts)


@total_ordering
class Version(ImportModule):
    type_name = "version"
    aliases: ClassVar[dict[str, str]] = {"gt": "greater_than", "gte": "greater_than_or_equals", "lt": "less_than",
               "lte": "less_than_or_equals", "eq": "equals"}

    def __init__(self, text: str):
        m = VERSION_RE.match(text.strip())
        if not m:
            raise ValueError(f"version: malformed version: {text!r}")
        self.original = text
        self.given = [int(s) for s in m.group("segments").split(".")]
        self.segments = (self.given + [0, 0, 0])[: max(3, len(self.given))]
        self.pre = m.group("pre") or ""
        self.meta = m.group("meta") or ""

    def attributes(self) -> dict[str, Any]:
        return {"major": self.segments[0], "minor": self.segments[1], "patch": self.segments[2],
                "prerelease": self.pre, "metadata": self.meta, "version": self.text()}

    def text(self) -> str:
        return ".".join(map(str, self.segments)) + (f"-{self.pre}" if self.pre else "") + (
            f"+{self.meta}" if self.meta else "")

    def _key(self) -> tuple:
        # a release sorts after all of its prereleases
        return (tuple(self.segments), (1,) if not self.pre else (0, _pre_key(self.pre)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __lt__(self, other: Version) -> bool:
        a, b = list(self.segments), list(other.segments)
        width = max(len(a), len(b))
        a += [0] * (width - len(a))
        b += [0] * (width - len(b))
        if a != b:
            return a < b
        return self._key()[1] < other._key()[1]

    def __hash__(self) -> int:
        return hash(self._key())

    def fn_greater_than(self, other: Any) -> bool:
        return self > coerce(other)

    def fn_greater_than_or_equals(self, other: Any) -> bool:
        return self >= coerce(other)

    def fn_less_than(self, other: Any) -> bool:
        return self < coerce(other)

    def fn_less_than_or_equals(self, other: Any) -> bool:
        return self <= coerce(other)

    def fn_equals(self, other: Any) -> bool:
        return self == coerce(other)

    def fn_satisfies(self, constraints: str) -> bool:
        return all(_check(term, self) for term in _terms(require_string(constraints, "version.satisfies")))


def coerce(value: Any) -> Version:
    if isinstance(value, Version):
        return value
    return Version(require_string(value, "version"))


def _terms(constraints: str) -> list[tuple[str, Version]]:
    terms = []
    for raw in constraints.split(","):
        m = CONSTRAINT_RE.match(raw)
        if not m:
            raise ValueError(f"version: malformed constraint: {raw.strip()!r}")
        terms.append((m.group("op") or "=", Version(m.group("version"))))
    return terms


def _check(term: tuple[str, Version], v: Version) -> bool:
    op, c = term
    # go-version: a prerelease only satisfies a constraint that names a prerelease of the same version
    if v.pre and (not c.pre or v.segments[:3] != c.segments[:3]):
        return False
    if op == "=":
        return v == c
    if op == "!=":
        return v != c
    if op == ">":
        return v > c
    if op == ">=":
        return v >= c
    if op == "<":
        return v < c
    if op == "<=":
        return v <= c
    # "~>": at least c, and the same leading segments except the last one given
    if v < c:
        return False
    fixed = max(len(c.given) - 1, 1)
    return v.segments[: fixed] == c.segments[: fixed]


class VersionImport(ImportModule):
    def fn_new(self, text: Any) -> Version:
        return Version(require_string(text, "version.new: argument"))


def create() -> VersionImport:
    return VersionImport()
