"""The decision log: one JSON object per line for every admission decision.

Written for auditors and for replaying decisions, hence *what* was decided and *why*, never credentials:
no token (only the token's public AccessorID), no request body, and finding messages as rules produced them
(rules redact secret values before they report, see :class:`jobguard.engine.findings.Finding`).
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from typing import IO, Any

from jobguard.proxy.admission import Decision


class DecisionLog:
    """Appends JSON lines to ``target`` ("-" for stdout, None to disable)."""

    def __init__(self, target: str | None) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._fh: IO[str] | None = None
        if target and target != "-":
            self._fh = open(target, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the server

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def write(self, kind: str, method: str, path: str, decision: Decision, status: int, **extra: Any) -> dict:
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "id": str(uuid.uuid4()),
            "kind": kind,
            "method": method,
            "path": path,
            "job_id": decision.job_id,
            "namespace": decision.namespace,
            "decision": decision.outcome,
            "status": status,
            "duration_ms": round(decision.duration_s * 1000, 3),
            "policy_override_requested": decision.override_requested,
            "policy_override_honoured": decision.override_honoured,
            "token_accessor_id": decision.accessor_id,
            "failed": decision.lines,
            "warnings": decision.warnings,
            "findings": [{"rule": f.rule, "kind": f.kind, "enforcement_level": f.enforcement_level,
                          "severity": f.severity, "message": f.message, "path": f.path_text,
                          "suppressed": f.suppressed, "overridden": f.overridden} for f in decision.findings],
            **extra,
        }
        if not self.target:
            return record
        line = json.dumps(record, sort_keys=True, default=str) + "\n"
        with self._lock:
            if self._fh is not None:
                self._fh.write(line)
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
        return record
