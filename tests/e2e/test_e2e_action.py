"""The GitHub Action front agrees with ``jobguard check``: its step body (``python -m jobguard.action``, as
``action.yml`` runs it) over the fixture jobs reports the same findings in its outputs, annotations and SARIF file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from e2e_support import FIXTURES, check_json, cli_env

SARIF_LEVEL = {"hard-mandatory": "error", "soft-mandatory": "warning", "advisory": "note"}


@pytest.fixture(scope="module")
def action_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A simulated runner: workspace = a copy of the fixtures, outputs and summary in files, no git repository."""
    root = tmp_path_factory.mktemp("action")
    workspace = root / "workspace"
    shutil.copytree(FIXTURES, workspace)
    (root / "temp").mkdir()
    output, summary = root / "output.txt", root / "summary.md"
    env = cli_env(cache_dir=root / "cache", GITHUB_WORKSPACE=str(workspace), RUNNER_TEMP=str(root / "temp"),
                  GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), GITHUB_ACTIONS="true",
                  INPUT_PATHS="jobs", INPUT_CONFIG="jobguard.hcl", INPUT_FAIL_ON="soft-mandatory",
                  INPUT_ONLY_CHANGED="false", INPUT_SARIF_FILE="jobguard.sarif", INPUT_ARGS="--no-cache")
    proc = subprocess.run([sys.executable, "-m", "jobguard.action"], cwd=workspace, env=env, capture_output=True,
                          text=True, timeout=60)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    code, report = check_json("jobs", cwd=workspace)
    return {"proc": proc, "outputs": outputs, "summary": summary.read_text(), "workspace": workspace,
            "cli_code": code, "cli": report}


def test_action_outputs_match_the_cli(action_run: dict[str, Any]) -> None:
    proc, outputs, report = action_run["proc"], action_run["outputs"], action_run["cli"]
    assert "Traceback" not in proc.stderr
    assert proc.returncode == action_run["cli_code"] == int(outputs["exit-code"]) == 1
    active = [f for f in report["findings"] if not f["suppressed"]]
    assert int(outputs["findings"]) == len(active) > 0
    assert int(outputs["blocking"]) == report["summary"]["blocking"] > 0
    assert outputs["sarif-file"] == "jobguard.sarif"


def test_action_annotations_name_the_cli_blocking_findings(action_run: dict[str, Any]) -> None:
    """Error annotations are the CLI's blocking findings (up to GitHub's 10 per type, then a notice)."""
    report = action_run["cli"]
    blocking = {(f["file"], f["line"], f["rule"]) for f in report["findings"] if f["status"] == "blocking"}
    errors = re.findall(r"^::error file=([^,]+),line=(\d+),[^:]*::(.*)$", action_run["proc"].stdout, re.M)
    assert 0 < len(errors) <= 10
    shown = {(file, int(line)) for file, line, _ in errors}
    assert shown <= {(file, line) for file, line, _ in blocking}
    if len(blocking) > 10:
        assert re.search(r"^::notice .*\b\d+\b", action_run["proc"].stdout, re.M)
    else:
        assert shown == {(file, line) for file, line, _ in blocking}


def test_action_sarif_matches_the_cli(action_run: dict[str, Any]) -> None:
    sarif = json.loads((action_run["workspace"] / "jobguard.sarif").read_text())
    results = sarif["runs"][0]["results"]
    got = sorted((r["ruleId"], r["level"], bool(r.get("suppressions"))) for r in results)
    want = sorted((f["rule"], SARIF_LEVEL[f["enforcement_level"]], f["suppressed"])
                  for f in action_run["cli"]["findings"])
    assert got == want
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris <= {str(Path("jobs") / p.name) for p in (FIXTURES / "jobs").iterdir()}


def test_action_summary_has_the_verdict(action_run: dict[str, Any]) -> None:
    summary = action_run["summary"]
    assert summary.strip()
    for rule in {f["rule"] for f in action_run["cli"]["findings"] if f["status"] == "blocking"}:
        assert rule in summary
