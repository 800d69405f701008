"""JSON Schemas of jobguard's machine-readable reports, shipped in the package so consumers can validate against
the schema of the exact version they run (``report_schema()``; docs/json-report.md describes the fields)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

REPORT_SCHEMA_FILE = "report-v1.schema.json"


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``jobguard check --format json`` output, ``version`` 1."""
    return json.loads(resources.files(__package__).joinpath(REPORT_SCHEMA_FILE).read_text(encoding="utf-8"))
