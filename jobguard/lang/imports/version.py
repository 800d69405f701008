"""``import "version"``: parse versions and check them against constraints, with HashiCorp go-version's rules.

``version.new("1.0.0-alpha.1+001")`` returns a version with ``major``, ``minor``, ``patch``, ``prerelease``,
``metadata`` and ``version`` attributes; comparisons ``greater_than``/``gt``, ``greater_than_or_equals``/``gte``,
``less_than``/``lt``, ``less_than_or_equals``/``lte``, ``equals``/``eq`` (metadata never counts);
``compare(v)``/``cmp`` (-1, 0 or 1 as this version is less than, equal to or greater than ``v``); and
``satisfies(constraints)``/``sat`` where constraints are comma-separated ``=``, ``!=``, ``>``, ``>=``, ``<``,
``<=`` and ``~>`` terms (no operator means ``=``). As in go-version: a constraint without a prerelease only matches
versions without one, a constraint with a prerelease only matches prereleases of the same major.minor.patch (the
``=`` and ``!=`` operators compare plainly), and ``~> 1.2.3`` means ``>= 1.2.3`` with ``1.2`` fixed
(``~> 1.2``: ``1.x``). A malformed version or constraint is an error; an ``undefined`` argument gives ``undefined``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from jobguard.lang.imports._support import name_methods
from jobguard.lang.imports.module import ImportModule, require_string
from jobguard.lang.values import UNDEFINED

NAME = "version"

# go-version's grammar: a prerelease may follow without "-" when it starts with a letter ("1.2.3beta1")
VERSION_RE = re.compile(
    r"^v?(?P<segments>\d+(?:\.\d+)*)"
    r"(?:-(?P<pre>[0-9][0-9A-Za-z~-]*(?:\.[0-9A-Za-z~-]+)*)|-?(?P<pre2>[A-Za-z~-][0-9A-Za-z~-]*(?:\.[0-9A-Za-z~-]+)*))?"
    r"(?:\+(?P<meta>[0-9A-Za-z~-]+(?:\.[0-9A-Za-z~-]+)*))?$",
    re.ASCII,
)
CONSTRAINT_RE = re.compile(r"^\s*(?P<op>~>|>=|<=|!=|=|>|<)?\s*(?P<version>v?\d\S*)\s*$")


def _compare_part(a: str, b: str) -> int:
    """go-version's comparePart: numeric parts sort before alphanumeric ones; a missing part sorts before a
    numeric one and after an alphanumeric one."""
    if a == b:
        return 0
    a_num, b_num = a.isdigit(), b.isdigit()
    if a == "":
        return -1 if b_num else 1
    if b == "":
        return 1 if a_num else -1
    if a_num and not b_num:
        return -1
    if b_num and not a_num:
        return 1
    if a_num:
        return (int(a) > int(b)) - (int(a) < int(b))
    return 1 if a > b else -1


def _compare_pre(a: str, b: str) -> int:
    """Compare two prerelease strings (a release, empty, sorts after all of its prereleases)."""
    if a == b:
        return 0
    if not a:
        return 1
    if not b:
        return -1
    pa, pb = a.split("."), b.split(".")
    for i in range(max(len(pa), len(pb))):
        c = _compare_part(pa[i] if i < len(pa) else "", pb[i] if i < len(pb) else "")
        if c:
            return c
    return 0


@name_methods("version")
class Version(ImportModule):
    type_name = "version"
    aliases: ClassVar[dict[str, str]] = {"gt": "greater_than", "gte": "greater_than_or_equals", "lt": "less_than",
                                         "lte": "less_than_or_equals", "eq": "equals", "cmp": "compare",
                                         "sat": "satisfies"}

    def __init__(self, text: str):
        m = VERSION_RE.match(text.strip())
        if not m:
            raise ValueError(f"malformed version: {text!r}")
        self.original = text
        self.given = [int(s) for s in m.group("segments").split(".")]
        self.segments = (self.given + [0, 0, 0])[: max(3, len(self.given))]
        self.pre = m.group("pre") or m.group("pre2") or ""
        self.meta = m.group("meta") or ""

    def attributes(self) -> dict[str, Any]:
        return {"major": self.segments[0], "minor": self.segments[1], "patch": self.segments[2],
                "prerelease": self.pre, "metadata": self.meta, "version": self.text()}

    def text(self) -> str:
        return ".".join(map(str, self.segments)) + (f"-{self.pre}" if self.pre else "") + (
            f"+{self.meta}" if self.meta else "")

    def cmp(self, other: Version) -> int:
        """-1, 0 or 1: segments (the shorter padded with zeros), then prereleases; metadata is ignored."""
        a, b = self.segments, other.segments
        width = max(len(a), len(b))
        a, b = a + [0] * (width - len(a)), b + [0] * (width - len(b))
        if a != b:
            return -1 if a < b else 1
        return _compare_pre(self.pre, other.pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.cmp(other) == 0

    def __hash__(self) -> int:
        return hash((tuple(self.segments), self.pre))

    def __repr__(self) -> str:
        return f"Version({self.text()!r})"

    def _vs(self, other: Any) -> int | None:
        return None if other is UNDEFINED else self.cmp(coerce(other))

    def fn_greater_than(self, other: Any) -> Any:
        c = self._vs(other)
        return UNDEFINED if c is None else c > 0

    def fn_greater_than_or_equals(self, other: Any) -> Any:
        c = self._vs(other)
        return UNDEFINED if c is None else c >= 0

    def fn_less_than(self, other: Any) -> Any:
        c = self._vs(other)
        return UNDEFINED if c is None else c < 0

    def fn_less_than_or_equals(self, other: Any) -> Any:
        c = self._vs(other)
        return UNDEFINED if c is None else c <= 0

    def fn_equals(self, other: Any) -> Any:
        c = self._vs(other)
        return UNDEFINED if c is None else c == 0

    def fn_compare(self, other: Any) -> Any:
        c = self._vs(other)
        return UNDEFINED if c is None else c

    def fn_satisfies(self, constraints: Any) -> Any:
        if constraints is UNDEFINED:
            return UNDEFINED
        return all(_check(term, self) for term in _terms(require_string(constraints, "constraints")))


def coerce(value: Any) -> Version:
    if isinstance(value, Version):
        return value
    return Version(require_string(value, "the version"))


def _terms(constraints: str) -> list[tuple[str, Version]]:
    terms = []
    for raw in constraints.split(","):
        m = CONSTRAINT_RE.match(raw)
        if not m:
            raise ValueError(f"malformed constraint: {raw.strip()!r}")
        terms.append((m.group("op") or "=", Version(m.group("version"))))
    return terms


def _prerelease_ok(v: Version, c: Version) -> bool:
    """go-version's prereleaseCheck: which versions a constraint may match at all."""
    if v.pre and c.pre:
        return v.segments == c.segments
    return not v.pre


def _check(term: tuple[str, Version], v: Version) -> bool:
    op, c = term
    if op == "=":
        return v.cmp(c) == 0
    if op == "!=":
        return v.cmp(c) != 0
    if not _prerelease_ok(v, c):
        return False
    order = v.cmp(c)
    if op == ">":
        return order > 0
    if op == ">=":
        return order >= 0
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    # "~>": at least c, with every segment given in c except the last one fixed (go-version's pessimistic rule)
    if (c.pre and not v.pre) or order < 0 or len(c.segments) > len(v.segments):
        return False
    if v.segments[: len(c.given) - 1] != c.segments[: len(c.given) - 1]:
        return False
    last = len(c.segments) - 1
    return c.segments[last] <= v.segments[last]


@name_methods("version")
class VersionImport(ImportModule):
    def fn_new(self, text: Any) -> Any:
        if text is UNDEFINED:
            return UNDEFINED
        return Version(require_string(text, "the version"))


_SHARED = VersionImport()


def create() -> VersionImport:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
