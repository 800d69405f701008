"""Answers shaped like Nomad's, so that the Nomad CLI, the UI and API clients show jobguard's verdict well.

* Errors are plain text with a status code, exactly like Nomad's agent: the Go API client turns them into
  ``Unexpected response code: 403 (<body>)`` which ``nomad job run`` prints after ``Error submitting job:``.
* ``Warnings`` strings use Nomad's ``structs.MergeMultierrorWarnings`` format (``N warnings:\\n\\n* a\\n* b``).
* ``Error`` in a validate answer uses go-multierror's list format, which ``nomad job validate`` prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aiohttp import web

from jobguard.engine.findings import Finding

_WARNINGS_HEAD = re.compile(r"^\s*\d+ warnings?(?:\(s\))?:\s*\n")


def nomad_error(status: int, text: str) -> web.Response:
    """A Nomad-style error: plain text body, given status."""
    return web.Response(status=status, text=text, content_type="text/plain", charset="utf-8")


def format_warnings(items: Iterable[str]) -> str:
    """Nomad's warnings string; "" for no warnings."""
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        return ""
    head = "1 warning:\n" if len(items) == 1 else f"{len(items)} warnings:\n"
    return head + "".join(f"\n* {item}" for item in items)


def parse_warnings(text: str | None) -> list[str]:
    """Split a Warnings string produced by Nomad back into its items (a free-form string is one item)."""
    if not text or not text.strip():
        return []
    match = _WARNINGS_HEAD.match(text)
    if not match:
        return [text.strip()]
    body = text[match.end():]
    return [part.strip() for part in re.split(r"(?:^|\n)\* ", body) if part.strip()]


def merge_warnings(existing: str | None, extra: Iterable[str]) -> str:
    """Upstream's warnings followed by jobguard's, re-counted in Nomad's format."""
    extra = list(extra)
    if not extra:
        return existing or ""
    return format_warnings(parse_warnings(existing) + extra)


def multierror(items: Iterable[str]) -> str:
    """go-multierror's default format, as Nomad fills ``Error`` of a validate response."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return f"1 error occurred:\n\t* {items[0]}\n\n"
    return f"{len(items)} errors occurred:\n\t" + "\n\t".join(f"* {i}" for i in items) + "\n\n"


def describe(finding: Finding) -> str:
    """One line for a finding: level, kind, name, message and where in the job."""
    where = f" ({finding.path_text})" if finding.path else ""
    state = ""
    if finding.overridden:
        state = " [overridden by PolicyOverride]"
    return f'{finding.enforcement_level} {finding.kind} "{finding.rule}" failed: {finding.message}{where}{state}'


def denial_text(job_id: str, lines: list[str], hint: str = "") -> str:
    """Body of a denied register/plan/scale/revert/dispatch (shown by ``nomad job run`` after the status code)."""
    noun = "check" if len(lines) == 1 else "checks"
    text = f'jobguard denied job "{job_id}": {len(lines)} failed {noun}:\n\t' + "\n\t".join(f"* {ln}" for ln in lines)
    return text + (f"\n{hint}" if hint else "")
