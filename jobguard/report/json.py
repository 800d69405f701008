"""The versioned JSON report: the machine interface other tools (the Action, dashboards, scripts) build on.

Shape (``version`` 1)::

    {"version": 1,
     "findings": [{"rule", "kind", "enforcement_level", "severity", "message", "file", "line", "column", "job",
                   "path", "suppressed", "overridden", "suppression", "title", "help_uri", "status", ...}],
     "errors": [{"file", "line", "column", "message"}],
     "summary": {"files", "jobs", "findings", "blocking", "advisory", "overridden", "suppressed", "errors", ...}}

The top level has exactly these four keys. Within a version, fields are only ever added inside findings and
summary; renaming or removing one means ``version`` 2. The JSON Schema of each version ships in the package
(``jobguard/report/schemas/report-v1.schema.json``, :func:`jobguard.report.schemas.report_schema`) and the tests
validate every report against it; ``help_uri`` is the rule's docs section (:mod:`jobguard.project`).
"""

from __future__ import annotations

import json

from jobguard.report.base import Reporter, RunResult

JSON_REPORT_VERSION = 1


class JsonReporter(Reporter):
    name = "json"

    def render(self, results: RunResult) -> str:
        findings = []
        for f in results.findings:
            item = f.to_dict()
            item["status"] = results.status(f)
            findings.append(item)
        doc = {
            "version": JSON_REPORT_VERSION,
            "findings": findings,
            "errors": [d.to_dict() for d in results.all_errors],
            "summary": {**results.summary(), "jobguard_version": results.version,
                        "skipped": [{"path": item.path, "reason": item.reason} for item in results.skipped]},
        }
        return json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n"
