"""Prometheus metrics in the text exposition format (version 0.0.4), without a client library.

Exposed at ``GET /v1/jobguard/metrics``: decisions by kind and outcome, check results by rule and outcome, a
decision latency histogram, pass-through and upstream error counters, reloads. Label values never contain job
content beyond rule names (no messages, no tokens).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from jobguard.proxy.settings import PROXY_FAIL_ON

#: ``Finding.status`` -> the ``outcome`` label of ``jobguard_rule_results_total``
_OUTCOMES = {"blocking": "fail", "advisory": "warn", "overridden": "overridden", "suppressed": "suppressed"}

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return "{" + inner + "}" if inner else ""


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Histogram:
    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.total += 1
        self.sum += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1


class Metrics:
    """Counters and histograms of one proxy process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.decisions: dict[tuple[str, str], int] = defaultdict(int)
        self.rule_results: dict[tuple[str, str, str], int] = defaultdict(int)
        self.latency: dict[str, Histogram] = {}
        self.passthrough: dict[str, int] = defaultdict(int)
        self.upstream_errors = 0
        self.reloads: dict[str, int] = defaultdict(int)
        self.reload_failing = False
        self.info: dict[str, str] = {}
        self.pool: Any = None  #: the evaluation WorkerPool (timeouts, stopped workers, alive workers)
        #: more exposition text appended to :meth:`render` (the audit watcher's metrics, jobguard.audit.service)
        self.collectors: list[Callable[[], str]] = []

    def decision(self, kind: str, outcome: str, seconds: float, findings: Iterable) -> None:
        with self._lock:
            self.decisions[(kind, outcome)] += 1
            self.latency.setdefault(kind, Histogram()).observe(seconds)
            for f in findings:
                result = _OUTCOMES[f.status(PROXY_FAIL_ON)]
                self.rule_results[(f.rule, f.enforcement_level, result)] += 1

    def passed(self, method: str) -> None:
        with self._lock:
            self.passthrough[method.upper()] += 1

    def upstream_error(self) -> None:
        with self._lock:
            self.upstream_errors += 1

    def reloaded(self, ok: bool) -> None:
        with self._lock:
            self.reloads["ok" if ok else "error"] += 1
            self.reload_failing = not ok

    def render(self) -> str:
        """The exposition text."""
        out: list[str] = []
        with self._lock:
            out += ["# HELP jobguard_info Version and policy fingerprint of the running proxy.",
                    "# TYPE jobguard_info gauge", f"jobguard_info{_labels(sorted(self.info.items()))} 1"]
            out += ["# HELP jobguard_decisions_total Admission decisions by request kind and outcome.",
                    "# TYPE jobguard_decisions_total counter"]
            out += [f"jobguard_decisions_total{_labels([('kind', k), ('outcome', o)])} {n}"
                    for (k, o), n in sorted(self.decisions.items())]
            out += ["# HELP jobguard_rule_results_total Failed checks by rule/policy, enforcement level and outcome.",
                    "# TYPE jobguard_rule_results_total counter"]
            out += [f"jobguard_rule_results_total{_labels([('rule', r), ('level', lv), ('outcome', o)])} {n}"
                    for (r, lv, o), n in sorted(self.rule_results.items())]
            out += ["# HELP jobguard_decision_duration_seconds Time to decide on a request (lookups + evaluation).",
                    "# TYPE jobguard_decision_duration_seconds histogram"]
            for kind, hist in sorted(self.latency.items()):
                for bound, count in zip(hist.buckets, hist.counts, strict=True):
                    out.append(f"jobguard_decision_duration_seconds_bucket"
                               f"{_labels([('kind', kind), ('le', repr(bound))])} {count}")
                out.append(f"jobguard_decision_duration_seconds_bucket{_labels([('kind', kind), ('le', '+Inf')])} "
                           f"{hist.total}")
                out.append(f"jobguard_decision_duration_seconds_sum{_labels([('kind', kind)])} {hist.sum:.6f}")
                out.append(f"jobguard_decision_duration_seconds_count{_labels([('kind', kind)])} {hist.total}")
            out += ["# HELP jobguard_passthrough_requests_total Requests relayed to Nomad without a decision.",
                    "# TYPE jobguard_passthrough_requests_total counter"]
            out += [f"jobguard_passthrough_requests_total{_labels([('method', m)])} {n}"
                    for m, n in sorted(self.passthrough.items())]
            out += ["# HELP jobguard_upstream_errors_total Requests answered 502 because Nomad was unreachable.",
                    "# TYPE jobguard_upstream_errors_total counter",
                    f"jobguard_upstream_errors_total {self.upstream_errors}"]
            out += ["# HELP jobguard_config_reloads_total Configuration reloads by result.",
                    "# TYPE jobguard_config_reloads_total counter"]
            out += [f"jobguard_config_reloads_total{_labels([('result', r)])} {n}"
                    for r, n in sorted(self.reloads.items())]
            out += ["# HELP jobguard_config_reload_failing 1 while the last reload was refused (the previous "
                    "configuration is serving; see last_reload_error in /v1/jobguard/health).",
                    "# TYPE jobguard_config_reload_failing gauge",
                    f"jobguard_config_reload_failing {int(self.reload_failing)}"]
            pool = self.pool
            if pool is not None:
                out += ["# HELP jobguard_eval_workers Evaluation worker processes running.",
                        "# TYPE jobguard_eval_workers gauge", f"jobguard_eval_workers {pool.alive}",
                        "# HELP jobguard_eval_timeouts_total Evaluations answered at their deadline (fail closed "
                        "or open).",
                        "# TYPE jobguard_eval_timeouts_total counter", f"jobguard_eval_timeouts_total {pool.timeouts}",
                        "# HELP jobguard_eval_workers_stopped_total Workers killed at a deadline and replaced.",
                        "# TYPE jobguard_eval_workers_stopped_total counter",
                        f"jobguard_eval_workers_stopped_total {pool.stopped_workers}"]
        return "\n".join(out) + "\n" + "".join(collect() for collect in list(self.collectors))
