"""Every report format of one ``jobguard check`` run tells the same story: the same findings per file, with the same
verdicts (blocking, advisory, overridden, suppressed), whether a human reads text or markdown, CI reads JUnit,
GitHub reads workflow commands, or code scanning reads SARIF.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from e2e_support import CONFIG, FIXTURES, cli_env, run_jobguard

FORMATS = ("json", "sarif", "junit", "github", "markdown")
SARIF_LEVEL = {"hard-mandatory": "error", "soft-mandatory": "warning", "advisory": "note"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run over all fixture jobs with --policy-override (so every status occurs), every format written."""
    out = tmp_path_factory.mktemp("formats")
    outputs = [arg for fmt in FORMATS for arg in ("--output", f"{fmt}={out / ('report.' + fmt)}")]
    proc = run_jobguard("check", "--no-cache", "--config", str(CONFIG), "--policy-override", *outputs, "jobs",
                        cwd=FIXTURES, env=cli_env())
    assert "Traceback" not in proc.stderr
    texts = {fmt: (out / f"report.{fmt}").read_text() for fmt in FORMATS}
    texts["text"] = proc.stdout
    report = json.loads(texts["json"])
    assert proc.returncode == report["summary"]["exit_code"] == 1
    statuses = Counter(f["status"] for f in report["findings"])
    assert all(statuses[s] for s in ("blocking", "advisory", "overridden", "suppressed")), statuses
    return {"texts": texts, "json": report}


def _per_file(findings: list[dict[str, Any]]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for f in findings:
        out.setdefault(Path(f["file"]).name, Counter())[f["status"]] += 1
    return out


def test_markdown_table_counts_match_json(reports: dict[str, Any]) -> None:
    rows = re.findall(r"^\| `(\S+\.nomad\.hcl)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$",
                      reports["texts"]["markdown"], re.M)
    table = {Path(name).name: (int(b), int(a), int(o), int(s), int(e)) for name, b, a, o, s, e in rows}
    expected = {name: (c["blocking"], c["advisory"], c["overridden"], c["suppressed"], 0)
                for name, c in _per_file(reports["json"]["findings"]).items()}
    assert {k: v for k, v in table.items() if any(v)} == expected


def test_junit_failures_are_the_blocking_findings(reports: dict[str, Any]) -> None:
    root = ET.fromstring(reports["texts"]["junit"])
    failing = Counter((Path(suite.get("name")).name, case.get("name").split(" (")[0])
                      for suite in root.iter("testsuite") for case in suite.iter("testcase")
                      for _ in case.findall("failure"))
    blocking = Counter((Path(f["file"]).name, f["rule"]) for f in reports["json"]["findings"]
                       if f["status"] == "blocking")
    assert failing == blocking  # one <failure> per blocking finding


def test_github_commands_match_json(reports: dict[str, Any]) -> None:
    commands = Counter(re.findall(r"^::(error|warning|notice) ", reports["texts"]["github"], re.M))
    statuses = Counter(f["status"] for f in reports["json"]["findings"])
    assert commands["error"] == statuses["blocking"]
    assert commands["warning"] == statuses["overridden"]  # mandatory but let through: a warning
    assert commands["notice"] == statuses["advisory"]  # suppressed findings are omitted


def test_sarif_results_match_json(reports: dict[str, Any]) -> None:
    run = json.loads(reports["texts"]["sarif"])["runs"][0]
    got = Counter((Path(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name,
                   r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"], r["level"],
                   bool(r.get("suppressions"))) for r in run["results"])
    want = Counter((Path(f["file"]).name, f["line"], f["rule"], SARIF_LEVEL[f["enforcement_level"]], f["suppressed"])
                   for f in reports["json"]["findings"])
    assert got == want
    described = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {f["rule"] for f in reports["json"]["findings"]} <= described


def test_text_lists_every_finding(reports: dict[str, Any]) -> None:
    text = reports["texts"]["text"]
    for f in reports["json"]["findings"]:
        assert re.search(rf"\b{f['line']}:{f['column']} {re.escape(f['rule'])} \[{f['enforcement_level']}",
                         text), f


def test_markdown_does_not_render_html_from_the_job(tmp_path: Path) -> None:
    """The Markdown report lands in ``$GITHUB_STEP_SUMMARY`` and PR comments, and a pull request controls the job
    text quoted in messages (an image name here): HTML in it must be shown as text, not rendered."""
    payload = "evil.io/x:1 <img src=https://attacker.example/p.png>"
    job = (FIXTURES / "jobs" / "good.nomad.hcl").read_text()
    job = re.sub(r'image          = "[^"]+"', f'image          = "{payload}"', job)
    (tmp_path / "pr.nomad.hcl").write_text(job)
    proc = run_jobguard("check", "--no-cache", "--config", str(CONFIG), "--format", "markdown", "pr.nomad.hcl",
                        cwd=tmp_path, env=cli_env())
    assert proc.returncode == 1, proc.stderr
    assert "attacker.example" in proc.stdout  # the finding is reported ...
    assert "<img" not in proc.stdout  # ... but its HTML is not live
