"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning, GitLab, Azure DevOps, VS Code's SARIF viewer).

Mapping decisions, and why:

* level from enforcement: hard-mandatory -> ``error``, soft-mandatory -> ``warning``, advisory -> ``note``. The
  level says how serious the guardrail is, not whether this run failed (that depends on ``--fail-on``); the run
  verdict goes to ``invocations[0].properties``.
* locations are relative to ``%SRCROOT%`` (the repository root), so results land on the right file whatever the
  working directory of the check was; files outside the root keep an absolute ``file://`` URI.
* ``partialFingerprints["jobguard/v1"]`` is the baseline fingerprint (rule + job + path + value hash), so code
  scanning tracks a result across line moves exactly as ``--baseline`` does.
* suppressed findings are kept with a ``suppressions`` entry (``inSource`` for comments/meta, ``external`` for the
  config or a baseline), which is how SARIF consumers expect waivers to look.
* the SARIF SDK's best-practice rules (the multitool's ``Sarif`` and ``Gh`` sets): every rule has a ``helpUri`` (its
  docs section, from :mod:`jobguard.project`); regions carry the offending line as a ``snippet`` and the lines
  around it as a ``contextRegion`` (both from :attr:`FileResult.lines`, already masked for secrets);
  ``automationDetails.id`` is ``jobguard/`` (the code-scanning category); ``versionControlProvenance`` names the
  git repository, commit and branch when the run was inside one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jobguard.engine.findings import Finding
from jobguard.engine.fingerprints import fingerprint_of
from jobguard.jobspec.errors import Diagnostic
from jobguard.project import project_url
from jobguard.report.base import Reporter, RunResult
from jobguard.report.locations import absolute_file_uri, file_uri, is_uri, relative_path

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FULL_NAME = "jobguard: policy-as-code guardrails for HashiCorp Nomad job specs"
AUTOMATION_CATEGORY = "jobguard/"
LEVELS = {"hard-mandatory": "error", "soft-mandatory": "warning", "advisory": "note"}
# GitHub code scanning sorts by this numeric string; scale follows CVSS bands.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
IN_SOURCE_SUPPRESSIONS = ("comment", "meta", "inline", "in-source", "insource")


def _rule_name(rule_id: str) -> str:
    """SARIF ``name`` is an identifier-like PascalCase form of the ID (``no-inline-secrets`` -> ``NoInlineSecrets``)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part) or "Rule"


def _context_region(lines: dict[int, str], line: int) -> dict[str, Any] | None:
    """The unbroken run of known lines around ``line`` (at most one either side) as a SARIF context region; None
    when only the line itself is known (SARIF wants a context region to be larger than the region)."""
    start = line - 1 if line - 1 in lines else line
    end = line + 1 if line + 1 in lines else line
    if start == end:
        return None
    text = "".join(lines[n].rstrip("\r\n") + "\n" for n in range(start, end + 1))
    return {"startLine": start, "endLine": end, "snippet": {"text": text}}


class SarifReporter(Reporter):
    name = "sarif"

    def render(self, results: RunResult) -> str:
        return json.dumps(self.document(results), indent=2) + "\n"

    def document(self, results: RunResult) -> dict[str, Any]:
        rule_ids = sorted({f.rule for f in results.findings})
        index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
        firsts: dict[str, Finding] = {}
        for f in results.findings:
            firsts.setdefault(f.rule, f)
        lines = {fr.file: fr.lines for fr in results.files}
        run: dict[str, Any] = {
            "tool": {"driver": {
                "name": "jobguard", "fullName": f"{FULL_NAME} {results.version}", "version": results.version,
                "semanticVersion": results.version, "informationUri": project_url(),
                "rules": [self._descriptor(r, results.rules.get(r, {}), firsts[r]) for r in rule_ids],
            }},
            "automationDetails": {"id": AUTOMATION_CATEGORY},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": absolute_file_uri(results.root)}},
            "invocations": [self._invocation(results)],
            "results": [self._result(f, index[f.rule], results, lines.get(f.file, {})) for f in results.findings],
            "columnKind": "unicodeCodePoints",
        }
        provenance = results.provenance
        if provenance is not None and provenance.repository_uri:
            vcs: dict[str, Any] = {"repositoryUri": provenance.repository_uri}
            if provenance.revision_id:
                vcs["revisionId"] = provenance.revision_id
            if provenance.branch:
                vcs["branch"] = provenance.branch
            vcs["mappedTo"] = {"uriBaseId": "%SRCROOT%"}
            run["versionControlProvenance"] = [vcs]
        return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}

    def _descriptor(self, rule_id: str, meta: dict[str, Any], first: Finding) -> dict[str, Any]:
        title = meta.get("title") or first.title or rule_id
        level = first.enforcement_level or meta.get("enforcement_level", "")  # as configured for this run
        severity = first.severity or meta.get("severity", "")
        kind = meta.get("kind") or first.kind
        full = meta.get("rationale") or meta.get("description") or title
        help_md = meta.get("docs") or ""
        help_text = self._help_text(rule_id, kind, meta)
        descriptor: dict[str, Any] = {
            "id": rule_id,
            "name": _rule_name(rule_id),
            "shortDescription": {"text": title},
            "fullDescription": {"text": full},
            "help": {"text": help_text, "markdown": help_md or help_text},
            "defaultConfiguration": {"level": LEVELS.get(level, "warning")},
            "properties": {
                "tags": [t for t in ("security", kind, meta.get("category")) if t],
                "precision": "high",
                "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
                "enforcement_level": level,
                "severity": severity,
            },
        }
        help_uri = meta.get("help_uri") or first.help_uri
        if help_uri:
            descriptor["helpUri"] = help_uri
        return descriptor

    @staticmethod
    def _help_text(rule_id: str, kind: str, meta: dict[str, Any]) -> str:
        parts = [p for p in (meta.get("rationale"), meta.get("remediation")) if p]
        if kind == "rule":
            parts.append(f"Run `jobguard rules {rule_id}` for the full documentation.")
        else:
            parts.append(f"Policy {rule_id}" + (f" ({meta['source']})" if meta.get("source") else "") + ".")
        return "\n\n".join(parts)

    def _location(self, file: str, line: int, column: int, root: str,
                  lines: dict[int, str] | None = None) -> dict[str, Any]:
        rel = relative_path(file, root)
        if rel is not None:
            artifact = {"uri": file_uri(rel), "uriBaseId": "%SRCROOT%"}
        elif file in ("-", "<stdin>") or file.startswith("<"):
            artifact = {"uri": "stdin"}
        elif is_uri(file):  # a job read from the Nomad API (jobguard audit)
            artifact = {"uri": file}
        else:
            artifact = {"uri": absolute_file_uri(file)}
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if line > 0:
            region: dict[str, Any] = {"startLine": line}
            if column > 0:
                region["startColumn"] = column
            physical["region"] = region
            if lines and line in lines:
                region["snippet"] = {"text": lines[line]}
                context = _context_region(lines, line)
                if context:
                    physical["contextRegion"] = context
        return {"physicalLocation": physical}

    def _result(self, f: Finding, rule_index: int, results: RunResult, lines: dict[int, str]) -> dict[str, Any]:
        location = self._location(f.file, f.line, f.column, results.root, lines)
        path = f.path_text
        if f.job or path:
            name = path or f.job
            location["logicalLocations"] = [{
                "name": name.rsplit(".", 1)[-1],
                "fullyQualifiedName": f"{f.job}:{path}" if f.job else path,
                "kind": "object",
            }]
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": rule_index,
            "level": LEVELS.get(f.enforcement_level, "warning"),
            "message": {"text": f.message},
            "locations": [location],
            "partialFingerprints": {"jobguard/v1": fingerprint_of(f)},
            "properties": {
                "kind": f.kind, "enforcement_level": f.enforcement_level, "severity": f.severity,
                "job": f.job, "path": path, "status": results.status(f), "overridden": f.overridden,
            },
        }
        if f.suppressed:
            sup = f.suppression or {}
            by = str(sup.get("kind") or sup.get("by") or "")
            entry: dict[str, Any] = {"kind": "inSource" if by.lower() in IN_SOURCE_SUPPRESSIONS else "external",
                                     "status": "accepted"}
            if sup.get("reason"):
                entry["justification"] = str(sup["reason"])
            result["suppressions"] = [entry]
        return result

    def _invocation(self, results: RunResult) -> dict[str, Any]:
        notes = [self._notification(d, results.root) for d in results.all_errors]
        summary = results.summary()
        return {
            "executionSuccessful": summary["exit_code"] != 3,
            "exitCode": summary["exit_code"],
            "toolExecutionNotifications": notes,
            "properties": {"fail_on": results.fail_on, "passed": summary["passed"],
                           "blocking": summary["blocking"]},
        }

    def _notification(self, diag: Diagnostic, root: str) -> dict[str, Any]:
        message = diag.summary + (f"; {diag.detail}" if diag.detail else "")
        return {"level": "error", "message": {"text": message},
                "locations": [self._location(diag.file, diag.line, diag.column, root)]}
