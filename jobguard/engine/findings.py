"""Findings: the one currency between the engine and every front (CLI reports, Action, proxy).

A finding is produced for every failed rule check or failed/undefined policy, whether or not it ends up blocking,
so that reports can show advisory results, suppressed ones (with the reason) and overridden ones alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from jobguard.contract import ENFORCEMENT_LEVELS, SEVERITIES
from jobguard.jobspec.sourcemap import Path, format_path, parse_path

__all__ = ["ENFORCEMENT_LEVELS", "SEVERITIES", "STATUSES", "Finding"]

#: The four states a finding can be in for one run, in report order (see :meth:`Finding.status`).
STATUSES = ("blocking", "advisory", "overridden", "suppressed")


@dataclass
class Finding:
    """One guardrail that a job does not meet.

    ``rule``    rule ID (kind "rule") or policy name (kind "policy").
    ``path``    API path of the offending value as the source map keys it, e.g.
                ``("TaskGroups", 0, "Tasks", 1, "Env", "DB_PASSWORD")`` (``()`` for the whole job); reports show
                :attr:`path_text`. Text given here (a hand-made finding) is parsed back into the tuple.
    ``file/line/column``  from the job's source map (line 0 when unknown, e.g. a request body).
    ``suppressed``        waived by a comment, a ``jobguard.ignore`` meta key or a config exception;
                          ``suppression`` then says by what and why.
    ``overridden``        a soft-mandatory failure let through by ``--policy-override`` / ``PolicyOverride``.
    ``message``           never contains a secret value (rules redact before they report).
    ``redact_value``      the value at ``path`` is a secret (the rule's ``Rule.redact_value``): source lines this
                          finding points at are masked before any report sees them. Not part of :meth:`to_dict`.
    """

    rule: str
    kind: str
    enforcement_level: str
    severity: str
    message: str
    file: str
    line: int = 0
    column: int = 0
    job: str = ""
    path: Path = ()
    suppressed: bool = False
    overridden: bool = False
    suppression: dict[str, Any] | None = None
    title: str = ""
    help_uri: str = ""
    trace: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    redact_value: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.path, tuple):
            self.path = parse_path(self.path) if isinstance(self.path, str) else tuple(self.path)

    @property
    def path_text(self) -> str:
        """The path as reports show it: ``TaskGroups[0].Tasks[1].Env.DB_PASSWORD`` ("" for the whole job)."""
        return format_path(self.path)

    def status(self, fail_on: str = "soft-mandatory") -> str:
        """The finding's state in a run whose threshold is ``fail_on``: ``suppressed``, ``overridden``,
        ``blocking`` (fails the run) or ``advisory`` (reported, not failing).

        The one place that decides it: reports, the Action, the proxy's answers and metrics and ``jobguard audit``
        all ask here, so they cannot disagree. An unknown ``fail_on`` is a ValueError.
        """
        if self.suppressed:
            return "suppressed"
        if self.overridden:
            return "overridden"
        strict_enough = ENFORCEMENT_LEVELS.index(self.enforcement_level) >= ENFORCEMENT_LEVELS.index(fail_on)
        return "blocking" if strict_enough else "advisory"

    def blocking(self, fail_on: str = "soft-mandatory") -> bool:
        """Does this finding fail a run whose threshold is ``fail_on``? Suppressed and overridden never do."""
        return self.status(fail_on) == "blocking"

    def to_dict(self) -> dict[str, Any]:
        """The finding as reports publish it (the JSON report's finding object): the path as text."""
        out = asdict(self)
        out["path"] = self.path_text
        del out["redact_value"]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Inverse of :meth:`to_dict` (the path's text is parsed back); ``redact_value`` and a list ``path`` are
        accepted too (the result cache stores them so)."""
        return cls(**data)
