"""A hand-built run for reporter tests: reporters are pure functions of findings, so no engine is needed here."""

from __future__ import annotations

import os

import pytest

from jobguard.engine.findings import Finding
from jobguard.jobspec.errors import Diagnostic
from jobguard.report.base import FileResult, RunResult


def make_finding(**kw) -> Finding:
    base = dict(rule="no-inline-secrets", kind="rule", enforcement_level="hard-mandatory", severity="high",
                message="env DB_PASSWORD holds a secret value (****)", file="jobs/web.nomad.hcl", line=12, column=9,
                job="web", path="TaskGroups[0].Tasks[0].Env.DB_PASSWORD", title="No inline secrets",
                extra={"fingerprint": "fp-secret"})
    base.update(kw)
    return Finding(**base)


@pytest.fixture
def sample_run(tmp_path) -> RunResult:
    """Two job files with findings in every state, one file that does not parse, one missing path."""
    root = str(tmp_path)
    web = os.path.join(root, "jobs", "web.nomad.hcl")
    api = os.path.join(root, "jobs", "api:v2,new.nomad")
    broken = os.path.join(root, "jobs", "broken.nomad")
    web_findings = [
        make_finding(file=web),
        make_finding(file=web, rule="no-latest-tag", enforcement_level="soft-mandatory", severity="medium",
                     message="image nginx:latest uses the latest tag", line=8, column=17,
                     path="TaskGroups[0].Tasks[0].Config.image", title="No latest tag",
                     extra={"fingerprint": "fp-latest"}),
        make_finding(file=web, rule="restrict-images", kind="policy", enforcement_level="advisory",
                     severity="medium", message="policy restrict-images failed", line=1, column=1, path="",
                     title="Only approved images", extra={"fingerprint": "fp-policy"}),
        make_finding(file=web, rule="no-host-network", enforcement_level="soft-mandatory", severity="high",
                     message="group uses host networking", line=5, column=5, path="TaskGroups[0].Networks[0].Mode",
                     suppressed=True, suppression={"kind": "comment", "reason": "legacy, see TICKET-1"},
                     extra={"fingerprint": "fp-host"}),
    ]
    api_findings = [
        make_finding(file=api, job="api", rule="no-latest-tag", enforcement_level="soft-mandatory",
                     severity="medium", message="image redis has no tag\nsecond line, with comma: yes 100%",
                     line=3, column=7, overridden=True, path="TaskGroups[0].Tasks[0].Config.image",
                     extra={"fingerprint": "fp-redis"}),
    ]
    files = [
        FileResult(file=web, jobs=["web"], findings=web_findings,
                   lines={12: '      DB_PASSWORD = "****"', 8: '        image = "nginx:latest"',
                          1: 'job "web" {', 5: '    network { mode = "host" }'},
                   checks=["no-inline-secrets", "no-latest-tag", "restrict-images", "no-host-network", "cpu-set"]),
        FileResult(file=api, jobs=["api"], findings=api_findings, lines={3: '  image = "redis"'}),
        FileResult(file=broken, errors=[Diagnostic(broken, 4, 3, "Unclosed configuration block",
                                                   "There is no closing brace for this block")],
                   lines={4: "  group {"}, input_error=True),
    ]
    return RunResult(files=files, fail_on="soft-mandatory", root=root,
                     errors=[Diagnostic("missing/", 0, 0, "no such file or directory")],
                     rules={"no-inline-secrets": {"id": "no-inline-secrets", "title": "No inline secrets",
                                                  "rationale": "Secrets in job files leak.",
                                                  "remediation": "Use a Vault template.", "docs": "# docs",
                                                  "kind": "rule", "category": "secrets"}})


@pytest.fixture
def clean_run(tmp_path) -> RunResult:
    job = os.path.join(str(tmp_path), "ok.nomad")
    return RunResult(files=[FileResult(file=job, jobs=["ok"])], root=str(tmp_path))
