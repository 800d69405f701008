"""Prometheus metrics of ``jobguard audit --watch`` (text exposition format 0.0.4), without a client library.

``jobguard_audit_violations{namespace,job,check,level}`` is a gauge: the number of active findings (neither
suppressed nor overridden) of one check on one running job, by enforcement level; a series disappears when its
findings are resolved or the job stops. Counters say what the watcher did (evaluations, events, reconnects,
re-lists, API errors). Label values are names only: no finding messages, no tokens.

Served at ``/metrics`` by ``jobguard audit --watch --metrics-listen``, and appended to ``/v1/jobguard/metrics``
when the watcher runs inside ``jobguard serve``.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

from jobguard.engine.findings import Finding

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})


def _series(name: str, labels: Iterable[tuple[str, str]], value: float) -> str:
    inner = ",".join(f'{key}="{str(val).translate(_ESCAPES)}"' for key, val in labels)
    return f"{name}{{{inner}}} {value:g}" if inner else f"{name} {value:g}"


def _header(name: str, kind: str, text: str) -> list[str]:
    return [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]


class AuditMetrics:
    """The watcher's gauges and counters (thread-safe: rendered from the proxy's handler threads too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.violations: dict[tuple[str, str], Counter[tuple[str, str]]] = {}  # (ns, job) -> (check, level) -> n
        self.blocking_jobs: set[tuple[str, str]] = set()
        self.evaluations: Counter[str] = Counter()
        self.events: Counter[str] = Counter()
        self.relists: Counter[str] = Counter()
        self.api_errors: Counter[str] = Counter()
        self.reconnects = 0
        self.connected = 0
        self.last_index = 0
        self.last_change = 0.0

    def job(self, namespace: str, job: str, findings: list[Finding] | None, blocking: bool = False) -> None:
        """Replace one job's series (``findings`` None: the job is gone)."""
        key = (namespace, job)
        with self._lock:
            if findings is None:
                self.violations.pop(key, None)
                self.blocking_jobs.discard(key)
                return
            self.violations[key] = Counter((f.rule, f.enforcement_level) for f in findings
                                           if not f.suppressed and not f.overridden)
            if blocking:
                self.blocking_jobs.add(key)
            else:
                self.blocking_jobs.discard(key)

    def count(self, counter: str, label: str) -> None:
        with self._lock:
            getattr(self, counter)[label] += 1

    def stream(self, connected: bool, reconnect: bool = False) -> None:
        with self._lock:
            self.connected = int(connected)
            self.reconnects += int(reconnect)

    def index(self, value: int) -> None:
        with self._lock:
            self.last_index = max(self.last_index, value)

    def render(self) -> str:
        out: list[str] = []
        with self._lock:
            out += _header("jobguard_audit_violations", "gauge",
                           "Active findings on running jobs by namespace, job, check (rule or policy) and level.")
            for (namespace, job), checks in sorted(self.violations.items()):
                for (check, level), n in sorted(checks.items()):
                    out.append(_series("jobguard_audit_violations", [("namespace", namespace), ("job", job),
                                                                     ("check", check), ("level", level)], n))
            out += _header("jobguard_audit_jobs", "gauge", "Jobs audited, and those with a blocking finding.")
            out.append(_series("jobguard_audit_jobs", [("state", "audited")], len(self.violations)))
            out.append(_series("jobguard_audit_jobs", [("state", "blocking")], len(self.blocking_jobs)))
            for name, kind, text, counter in (
                    ("jobguard_audit_evaluations_total", "outcome", "Job evaluations by outcome.", self.evaluations),
                    ("jobguard_audit_events_total", "type", "Job events received, by type (and heartbeats).",
                     self.events),
                    ("jobguard_audit_relists_total", "reason", "Full or partial re-listings of the jobs, by reason.",
                     self.relists),
                    ("jobguard_audit_api_errors_total", "kind", "Nomad API reads that failed, by kind.",
                     self.api_errors)):
                out += _header(name, "counter", text)
                out += [_series(name, [(kind, label)], n) for label, n in sorted(counter.items())]
            out += _header("jobguard_audit_stream_reconnects_total", "counter", "Event stream reconnections.")
            out.append(_series("jobguard_audit_stream_reconnects_total", [], self.reconnects))
            out += _header("jobguard_audit_stream_connected", "gauge", "1 while the event stream is connected.")
            out.append(_series("jobguard_audit_stream_connected", [], self.connected))
            out += _header("jobguard_audit_last_index", "gauge", "Highest Nomad index the watcher has seen.")
            out.append(_series("jobguard_audit_last_index", [], self.last_index))
        return "\n".join(out) + "\n"
