"""A finding's baseline fingerprint: what ``--baseline`` matches on and SARIF's ``partialFingerprints`` carry.

Why here, next to :class:`~jobguard.engine.findings.Finding`: the check runner computes fingerprints and writes
baselines, the SARIF reporter emits them; both sit above the engine, so neither has to import the other (see
:mod:`jobguard.check.baseline` for why a fingerprint is made of these parts). Not to be confused with
``Engine.fingerprint()``, the cache key of a whole configuration.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from jobguard.engine.findings import Finding

_SALT = b"jobguard-baseline-v1\0"


def value_hash(value: Any) -> str:
    """Hash of a normalised scalar (or list of scalars); "" for blocks and missing values."""
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return ""
    if isinstance(value, str):
        value = value.strip()
    normal = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(_SALT + normal.encode()).hexdigest()[:16]


def fingerprint(rule: str, job: str, stable_path: str, hashed_value: str) -> str:
    text = "\0".join((rule, job, stable_path, hashed_value))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def fingerprint_of(finding: Finding) -> str:
    """The finding's stable fingerprint (set by the runner); falls back to rule/job/path for hand-made findings."""
    fp = (finding.extra or {}).get("fingerprint")
    if fp:
        return str(fp)
    return fingerprint(finding.rule, finding.job, finding.path_text, "")
