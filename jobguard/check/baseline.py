"""Baselines: accept today's findings, fail only on new ones (``--create-baseline`` / ``--baseline``).

A finding's fingerprint is a hash of the rule ID, the job ID, a *stable* API path and a hash of the offending
normalised value. Why these parts:

* no file name and no line: moving a job file or adding lines above a finding must not make it "new";
* a stable path: list indices are replaced by the element's ``Name`` where it has one
  (``TaskGroups[web].Tasks[app].Env.DB_PASSWORD``), so adding a task before another does not change it;
* the value hash: changing the offending value (e.g. a different image tag that is still ``:latest``-like, or a
  rotated inline secret) is a new decision and must be reviewed again, while unrelated edits elsewhere in the job
  leave it alone. Only scalar values (and lists of scalars) are hashed; for a whole block the path alone decides,
  otherwise every edit inside the block would count as new.

The file is JSON, sorted, one entry per finding (duplicates are counted), so it diffs well in review. Secret values
never appear in it: only a salted hash of the normalised value.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import replace
from typing import Any
from collections.abc import Iterable

from jobguard.engine.findings import Finding
from jobguard.engine.fingerprints import fingerprint, fingerprint_of, value_hash

__all__ = ["BASELINE_VERSION", "BaselineError", "apply_baseline", "baseline_entries", "fingerprint", "read_baseline",
           "value_hash", "write_baseline"]

BASELINE_VERSION = 1


class BaselineError(Exception):
    """An unreadable or malformed baseline file (exit 2)."""


def baseline_entries(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Entries for the findings a baseline should accept: everything not already waived another way."""
    entries = []
    for f in findings:
        if f.suppressed:
            continue
        entries.append({"fingerprint": fingerprint_of(f),
                        "rule": f.rule, "job": f.job, "path": f.path_text})
    return sorted(entries, key=lambda e: (e["rule"], e["job"], e["path"], e["fingerprint"]))


def write_baseline(path: str, findings: Iterable[Finding]) -> int:
    """Write the baseline file; returns how many findings it accepts."""
    entries = baseline_entries(findings)
    doc = {"version": BASELINE_VERSION, "tool": "jobguard", "findings": entries}
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    return len(entries)


def read_baseline(path: str) -> Counter[str]:
    """Fingerprints in a baseline file, with multiplicity."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: baseline is not valid JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: baseline is not UTF-8 text (not a jobguard baseline)") from None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION or not isinstance(doc.get("findings"),
                                                                                             list):
        raise BaselineError(f"{path}: not a jobguard baseline (expected version {BASELINE_VERSION})")
    counts: Counter[str] = Counter()
    for entry in doc["findings"]:
        if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str):
            counts[entry["fingerprint"]] += 1
    return counts


def apply_baseline(findings: list[Finding], accepted: Counter[str], source: str) -> list[Finding]:
    """Findings with those in the baseline marked suppressed (kind ``baseline``); each entry accepts one finding."""
    left = Counter(accepted)
    out = []
    for f in findings:
        fp = str((f.extra or {}).get("fingerprint") or "")
        if not f.suppressed and fp and left[fp] > 0:
            left[fp] -= 1
            f = replace(f, suppressed=True,
                        suppression={"kind": "baseline", "reason": f"accepted in baseline {source}"})
        out.append(f)
    return out
