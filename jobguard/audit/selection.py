"""Which listed jobs an audit reads and evaluates, from the list stubs alone (no job read needed to decide).

* Stopped jobs (``Stop: true``, ``nomad job stop``) and dead ones (``Status: "dead"``: finished batch jobs,
  stopped jobs whose allocations are gone) run nothing: skipped unless ``include_stopped``.
* Periodic launches and dispatched instances of a parameterized job (``ParentID`` set) run their parent's
  specification: they are reported once, under the parent, which is audited while it or any child is live. A child
  whose parent is not in the listing (purged, or in a namespace the token cannot list) is audited on its own.

The order is deterministic (namespace, then job ID), so two audits of the same cluster give the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobRef:
    """One job to audit: where it is and the ``JobModifyIndex`` the listing saw."""

    namespace: str
    id: str
    modify_index: int = 0
    children: int = 0  # periodic/dispatched instances reported under this job

    @property
    def key(self) -> tuple[str, str]:
        return (self.namespace, self.id)

    @property
    def name(self) -> str:
        """``namespace/job-id``: how findings, the live table and metrics name a job."""
        return f"{self.namespace}/{self.id}"


@dataclass
class Selection:
    jobs: list[JobRef] = field(default_factory=list)
    stopped: int = 0  # skipped: stopped or dead
    children: int = 0  # reported under their parent


def is_live(stub: dict[str, Any]) -> bool:
    return not stub.get("Stop") and stub.get("Status") != "dead"


def key_of(stub: dict[str, Any]) -> tuple[str, str]:
    return (str(stub.get("Namespace") or "default"), str(stub.get("ID") or ""))


def parent_key(stub: dict[str, Any]) -> tuple[str, str] | None:
    parent = stub.get("ParentID")
    return (str(stub.get("Namespace") or "default"), str(parent)) if parent else None


def select(stubs: list[dict[str, Any]], include_stopped: bool = False) -> Selection:
    """The jobs to audit among ``stubs`` (``GET /v1/jobs`` answers)."""
    by_key = {key_of(s): s for s in stubs if s.get("ID")}
    live_children: dict[tuple[str, str], int] = {}
    children: dict[tuple[str, str], int] = {}
    for stub in by_key.values():
        parent = parent_key(stub)
        if parent is not None and parent in by_key:
            children[parent] = children.get(parent, 0) + 1
            if is_live(stub):
                live_children[parent] = live_children.get(parent, 0) + 1
    out = Selection()
    for key in sorted(by_key):
        stub = by_key[key]
        parent = parent_key(stub)
        if parent is not None and parent in by_key:
            out.children += 1
            continue
        if not (include_stopped or is_live(stub) or live_children.get(key)):
            out.stopped += 1
            continue
        out.jobs.append(JobRef(key[0], key[1], int(stub.get("JobModifyIndex") or 0), children.get(key, 0)))
    return out
