"""Waivers: HCL comments, ``jobguard.ignore`` meta entries and config ``exception`` blocks.

Three forms, one model (:class:`Suppression`): which rules it waives, why, until when, and which findings it
covers.

* **Comment** on or directly above a block or attribute (``#`` or ``//``)::

      # jobguard:ignore no-inline-secrets,no-latest-tag reason="public demo key" expires=2027-01-31
      env { DEMO_KEY = "..." }

  It covers findings whose source line lies inside that block or attribute. Positions come from the outline of
  the job's source text (:mod:`jobguard.jobspec.hcl.outline`, the same parser the loader uses), which is only read
  when the text contains ``jobguard:ignore``.
* **Meta** at job, group or task level: ``meta = { "jobguard.ignore" = "RULE-A, RULE-B: reason; RULE-C: other" }``
  (or ``meta { jobguard_ignore = "..." }``: HCL blocks take identifiers only)
  (entries separated by ``;``, each ``IDS: reason [expires=YYYY-MM-DD]``). It covers findings under that
  job/group/task. Meta survives into API JSON, so it also works for jobs the proxy receives.
* **Config exception**: ``exception "name" { rules = [...], jobs = ["glob"], reason = "...", expires = "..." }``.

A waiver without a reason, naming an unknown rule, or targeting a ``non_waivable`` rule has no effect and is
reported as ``invalid-suppression``; an expired one stops working and is reported as ``expired-suppression``.
Suppressed findings stay in the results (``suppressed=True``) so reports can show what was waived and why.

The two rules about suppressions themselves (``invalid-suppression``, ``expired-suppression``) are declared at the
end of this module and registered like any plugin's rules: only this pass can produce their findings (it alone
knows the configured rules, ``non_waivable`` and config exceptions), but as rules they are listed by
``jobguard rules``, documented, configurable in ``jobguard.hcl`` and described in SARIF like every other finding.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Sequence

from jobguard.contract import Rule, RuleContext, Violation
from jobguard.engine.config import Config
from jobguard.engine.findings import Finding
from jobguard.hookspec import hookimpl
from jobguard.jobspec.hcl.diagnostics import MultiError
from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.sourcemap import Path, Position, format_path
from jobguard.suggest import did_you_mean

INVALID = "invalid-suppression"
EXPIRED = "expired-suppression"
MARKER = "jobguard:ignore"
META_KEY = "jobguard.ignore"
#: also accepted, because HCL's ``meta { }`` block only takes identifiers (``jobguard.ignore`` needs the
#: ``meta = { "jobguard.ignore" = ... }`` map form)
META_KEYS = (META_KEY, "jobguard_ignore")

_COMMENT = re.compile(r"^\s*jobguard:ignore(?:\s+(?P<rest>.*))?$", re.S)
_IDS = re.compile(r"^(?P<ids>[A-Za-z0-9_.-]+(?:\s*,\s*[A-Za-z0-9_.-]+)*)\s*")
_OPTION = re.compile(r'(?P<key>[A-Za-z_]+)=(?P<value>"(?:[^"\\]|\\.)*"|\S+)\s*')
_META_EXPIRES = re.compile(r"\s*\bexpires=(?P<date>\S+)\s*$")


@dataclass
class Suppression:
    """One waiver. Exactly one of ``lines`` (comments), ``path_prefix`` (meta) or ``job_wide`` scopes it."""

    kind: str  # "comment" | "meta" | "exception"
    rules: tuple[str, ...]
    reason: str
    expires: _dt.date | None
    where: str
    position: Position | None = None
    lines: tuple[frozenset[str], int, int] | None = None  # (files, first line, last line)
    path_prefix: Path | None = None
    job_wide: bool = False

    def covers(self, finding: Finding) -> bool:
        if finding.rule not in self.rules:
            return False
        if self.job_wide:
            return True
        if self.path_prefix is not None:
            return _under(finding.path, self.path_prefix)
        if self.lines is not None:
            files, first, last = self.lines
            return finding.file in files and first <= finding.line <= last
        return False

    def expired(self, today: _dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def describe(self) -> dict[str, Any]:
        """What ``Finding.suppression`` holds: ``{"kind", "reason", "expires", "where"}``."""
        return {"kind": self.kind, "reason": self.reason,
                "expires": self.expires.isoformat() if self.expires else None, "where": self.where}


@dataclass
class Problem:
    """A suppression that does not work; becomes an ``invalid-suppression``/``expired-suppression`` finding."""

    rule: str
    message: str
    position: Position | None = None
    path: str = ""


@dataclass
class SuppressionSet:
    active: list[Suppression] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _under(path: Path, prefix: Path) -> bool:
    return path[:len(prefix)] == prefix


# ---------------------------------------------------------------------------------------------------------------
# Parsing the two textual forms
# ---------------------------------------------------------------------------------------------------------------

@dataclass
class Parsed:
    rules: tuple[str, ...]
    reason: str = ""
    expires: _dt.date | None = None
    error: str = ""


def parse_comment(comment: str) -> Parsed | None:
    """A ``jobguard:ignore`` comment (with its ``#``/``//``/``/* */`` marker) -> Parsed; None for other comments."""
    body = comment.strip()
    for opener, closer in (("/*", "*/"), ("//", ""), ("#", "")):
        if body.startswith(opener):
            body = body[len(opener):]
            if closer and body.endswith(closer):
                body = body[: -len(closer)]
            break
    match = _COMMENT.match(body.strip())
    if not match:
        return None
    rest = (match.group("rest") or "").strip()
    ids = _IDS.match(rest)
    if not ids or "=" in ids.group("ids"):
        return Parsed((), error=f"{MARKER} needs a rule ID, e.g. `# {MARKER} RULE-ID reason=\"why\"`")
    parsed = Parsed(_split_ids(ids.group("ids")))
    rest = rest[ids.end():]
    while rest:
        option = _OPTION.match(rest)
        if not option:
            parsed.error = f"cannot read {rest.strip()!r}; expected reason=\"...\" and optionally expires=YYYY-MM-DD"
            return parsed
        key, value = option.group("key"), option.group("value")
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        rest = rest[option.end():]
        if key == "reason":
            parsed.reason = value.strip()
        elif key == "expires":
            parsed.expires, error = _date(value)
            parsed.error = parsed.error or error
        else:
            parsed.error = parsed.error or f"unknown option {key!r} (expected reason, expires)"
    if not parsed.reason and not parsed.error:
        parsed.error = 'a reason is required: reason="..."'
    return parsed


def parse_meta(value: Any) -> list[Parsed]:
    """A ``jobguard.ignore`` meta value -> one Parsed per ``;``-separated entry."""
    if not isinstance(value, str):
        return [Parsed((), error=f'"{META_KEY}" must be a string like "RULE-ID: reason"')]
    out = []
    for entry in (e.strip() for e in value.split(";")):
        if not entry:
            continue
        ids_text, sep, reason = entry.partition(":")
        ids = _split_ids(ids_text)
        if not ids or not all(re.fullmatch(r"[A-Za-z0-9_.-]+", i) for i in ids):
            out.append(Parsed(ids, error=f'cannot read {entry!r}; expected "RULE-ID[, RULE-ID...]: reason"'))
            continue
        parsed = Parsed(ids)
        expires = _META_EXPIRES.search(reason)
        if expires:
            parsed.expires, parsed.error = _date(expires.group("date"))
            reason = reason[: expires.start()]
        parsed.reason = reason.strip()
        if not sep or not parsed.reason:
            parsed.error = parsed.error or f'a reason is required: "{", ".join(ids)}: why it is acceptable"'
        out.append(parsed)
    return out


def _split_ids(text: str) -> tuple[str, ...]:
    return tuple(i.strip() for i in text.split(",") if i.strip())


def _date(text: str) -> tuple[_dt.date | None, str]:
    try:
        return _dt.date.fromisoformat(text), ""
    except ValueError:
        return None, f"expires={text!r} is not a date (YYYY-MM-DD)"


# ---------------------------------------------------------------------------------------------------------------
# Collecting the suppressions that apply to one job
# ---------------------------------------------------------------------------------------------------------------

def collect(loaded: LoadedJob, config: Config, known_ids: Iterable[str], today: _dt.date) -> SuppressionSet:
    """Every waiver that applies to ``loaded``; broken and expired ones become problems instead."""
    known = set(known_ids)
    result = SuppressionSet()
    for suppression, error in [*_from_comments(loaded), *_from_meta(loaded), *_from_exceptions(loaded, config)]:
        _admit(suppression, error, known, today, result)
    return result


def _admit(suppression: Suppression, error: str, known: set[str], today: _dt.date, out: SuppressionSet) -> None:
    label = f"{suppression.kind} suppression at {suppression.where}"
    if error:
        out.problems.append(Problem(INVALID, f"{label} has no effect: {error}", suppression.position))
        return
    unknown = [r for r in suppression.rules if r not in known]
    for rule_id in unknown:
        hint = did_you_mean(rule_id, known)
        out.problems.append(Problem(INVALID, f"{label} names unknown rule or policy {rule_id!r}"
                                    + (f" ({hint})" if hint else ""), suppression.position))
    if suppression.expired(today):
        out.problems.append(Problem(EXPIRED, f"{label} expired on {suppression.expires.isoformat()} and no longer "
                                    f"applies (reason was: {suppression.reason})", suppression.position))
        return
    if len(unknown) < len(suppression.rules):
        out.active.append(suppression)


def _from_comments(loaded: LoadedJob) -> Iterable[tuple[Suppression, str]]:
    if MARKER not in (loaded.source or "") or loaded.format != "hcl2":
        return
    # deferred (start-up time, ~2 ms): only a job file with a suppression comment needs the outline reader
    from jobguard.jobspec.hcl.outline import read_outline

    try:
        outline = read_outline(loaded.source)  # the loader parsed native syntax with this same parser
    except MultiError:
        return  # HCL's JSON syntax (a .json variant of an HCL job): it has no comments to map
    spans = outline.spans
    lines = loaded.source.splitlines()
    files = frozenset({loaded.file, loaded.source_map.file})
    for comment in outline.comments:
        parsed = parse_comment(comment.text)
        if parsed is None:
            continue
        position = Position(loaded.file, comment.line, comment.column)
        target = _target(comment, spans, lines)
        suppression = Suppression("comment", parsed.rules, parsed.reason, parsed.expires, str(position), position)
        if target is None:
            yield suppression, parsed.error or "it is not on or directly above a block or attribute"
            continue
        suppression.lines = (files, target.line, target.end_line)
        yield suppression, parsed.error


def _target(comment: Any, spans: Sequence[Any], lines: Sequence[str]) -> Any:
    """The block/attribute a comment refers to: the one it trails, or the one starting right below it."""
    if not comment.own_line:
        starting = [s for s in spans if s.line == comment.line and s.column < comment.column]
        if starting:
            return starting[0]  # outermost: spans come parents first
        containing = [s for s in spans if s.line <= comment.line <= s.end_line]
        return containing[-1] if containing else None
    line = comment.line + 1
    while line <= len(lines):
        text = lines[line - 1].strip()
        if text and not text.startswith(("#", "//")):
            break
        line += 1
    starting = [s for s in spans if s.line == line]
    return starting[0] if starting else None


def _from_meta(loaded: LoadedJob) -> Iterable[tuple[Suppression, str]]:
    job = loaded.canonical or loaded.job or {}
    scopes: list[tuple[tuple[Any, ...], dict]] = [((), job)]
    for gi, group in enumerate(job.get("TaskGroups") or []):
        scopes.append((("TaskGroups", gi), group))
        for ti, task in enumerate(group.get("Tasks") or []):
            scopes.append((("TaskGroups", gi, "Tasks", ti), task))
    for path, obj in scopes:
        meta = obj.get("Meta") or {}
        for key in META_KEYS:
            if key not in meta:
                continue
            key_path = path + ("Meta", key)
            position = loaded.source_map.lookup(key_path)
            where = str(position) if position and position.line else f'meta "{key}" at {format_path(key_path)}'
            for parsed in parse_meta(meta[key]):
                yield Suppression("meta", parsed.rules, parsed.reason, parsed.expires, where, position,
                                  path_prefix=tuple(path)), parsed.error


def _from_exceptions(loaded: LoadedJob, config: Config) -> Iterable[tuple[Suppression, str]]:
    for exception in config.exceptions:
        if exception.matches_job(loaded.id):
            where = f'{exception.position} (exception "{exception.name}")' if exception.position else exception.name
            yield Suppression("exception", tuple(exception.rules), exception.reason, exception.expires, where,
                              exception.position, job_wide=True), ""


# ---------------------------------------------------------------------------------------------------------------
# Applying them
# ---------------------------------------------------------------------------------------------------------------

def apply(findings: list[Finding], suppressions: SuppressionSet, non_waivable: set[str]) -> None:
    """Mark covered findings suppressed; a waiver of a non-waivable rule is refused and reported (once)."""
    refused: set[tuple[int, str]] = set()
    for finding in findings:
        if finding.suppressed or finding.rule in (INVALID, EXPIRED):
            continue
        for suppression in suppressions.active:
            if not suppression.covers(finding):
                continue
            if finding.rule in non_waivable:
                key = (id(suppression), finding.rule)
                if key not in refused:
                    refused.add(key)
                    suppressions.problems.append(Problem(
                        INVALID, f"{suppression.kind} suppression at {suppression.where} has no effect: rule "
                        f"{finding.rule!r} is non-waivable (jobguard.hcl)", suppression.position))
                finding.extra["suppression_refused"] = suppression.describe()
                continue
            finding.suppressed = True
            finding.suppression = suppression.describe()
            break


# ---------------------------------------------------------------------------------------------------------------
# The rules these problems are reported under
# ---------------------------------------------------------------------------------------------------------------

class EngineRule(Rule):
    """A rule whose findings the engine produces; :meth:`check` has nothing to look at on its own."""

    produced_by_engine = True
    category = "suppressions"

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        return ()


class InvalidSuppression(EngineRule):
    id = INVALID
    title = "Suppression is malformed or not allowed"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    rationale = ("A waiver must say why it exists, name a real rule and not target a non-waivable rule; otherwise it "
                 "hides problems without an audit trail. Such a suppression has no effect.")
    remediation = 'Write `# jobguard:ignore RULE-ID reason="why" [expires=YYYY-MM-DD]`, or remove the comment.'
    docs = """\
Reported where a suppression is written when it does not apply:

* no reason: `# jobguard:ignore no-inline-secrets` (needs `reason="..."`), or a `jobguard.ignore` meta entry
  without `RULE-ID: reason`;
* an unknown rule ID or policy name;
* an unreadable `expires` date;
* a comment that is not followed by a block or attribute;
* a rule configured `non_waivable = true` in `jobguard.hcl`.

Good:

```hcl
# jobguard:ignore no-inline-secrets reason="public demo key" expires=2027-01-31
env { DEMO_KEY = "..." }
```

Bad:

```hcl
# jobguard:ignore no-inline-secrets
env { DEMO_KEY = "..." }
```
"""


class ExpiredSuppression(EngineRule):
    id = EXPIRED
    title = "Suppression has expired"
    severity = "low"
    enforcement_level = "advisory"
    rationale = "Waivers are temporary by design; once expired they stop working so the original finding returns."
    remediation = "Fix the underlying finding and remove the suppression, or extend `expires` with a new reason."
    docs = """\
A comment suppression, a `jobguard.ignore` meta entry or a config `exception` whose `expires` date has passed.
The suppression no longer applies (the finding it used to waive is reported again) and this finding says where
the stale waiver is.

```hcl
# jobguard:ignore no-latest-tag reason="migrating" expires=2020-01-01   <- expired: no longer applies
```
"""


@hookimpl
def jobguard_rules() -> list[Rule]:
    return [InvalidSuppression(), ExpiredSuppression()]
