"""The GitHub Action, run as a runner would run it (see runner.py): real bash, real git, real pip install."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.action.runner import ROOT, run_action
from tests.tools import venv_tool

GOOD = """job "web" {
  datacenters = ["dc1"]
  group "web" {
    count = 2
    network {
      port "http" { to = 8080 }
    }
    task "web" {
      driver = "docker"
      config {
        image = "nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"
        ports = ["http"]
      }
      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}
"""

SECRET = "ghp_" + "R8x2Lq9VvT4mZpW7nK3sYc6hJd1fGb5aQe0u"  # a GitHub token shape (fake)


def bad_job(name: str, secret: str = SECRET) -> str:
    return f"""job "{name}" {{
  datacenters = ["dc1"]
  group "app" {{
    task "app" {{
      driver = "docker"
      config {{
        image = "example/app:1.2.3"
      }}
      env {{
        GITHUB_TOKEN = "{secret}"
      }}
    }}
  }}
}}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def make_repo(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Run the action's setup and install steps once, for real (venv + pip install of this repository)."""
    temp = tmp_path_factory.mktemp("runner_temp")
    ws = tmp_path_factory.mktemp("ws")
    result = run_action(ws, temp, skip=("check",))
    assert result.failed_step is None, result.stderr
    python = result.steps["install"]["python"]
    assert Path(python).exists()
    version = subprocess.run([python, "-m", "jobguard", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "jobguard" in version.stdout
    return {"python": result.steps["python"], "install": result.steps["install"]}


def run_check(installed, repo: Path, tmp_path: Path, **kw):
    temp = tmp_path / "runner_temp"
    temp.mkdir(exist_ok=True)
    return run_action(repo, temp, skip=("python", "install"), preset_steps=installed, **kw)


def test_reports_blocking_finding_with_annotation_summary_and_sarif(installed, tmp_path):
    repo = make_repo(tmp_path, {"jobs/good.nomad.hcl": GOOD, "jobs/bad.nomad.hcl": bad_job("bad")})
    result = run_check(installed, repo, tmp_path, inputs={"paths": "jobs"})

    assert result.outputs["exit-code"] == "1"
    assert result.failed_step == "check"  # the step fails like the CLI does
    assert int(result.outputs["blocking"]) >= 1
    assert int(result.outputs["findings"]) >= int(result.outputs["blocking"])
    errors = result.annotations("error")
    assert any("file=jobs/bad.nomad.hcl,line=10" in a and "no-inline-secrets" in a for a in errors), errors
    assert not any("good.nomad.hcl" in a for a in errors)
    # the secret never appears, anywhere
    sarif_path = repo / result.outputs["sarif-file"]
    for text in (result.stdout, result.stderr, result.summary, sarif_path.read_text()):
        assert SECRET not in text
    assert "no-inline-secrets" in result.summary
    sarif = json.loads(sarif_path.read_text())
    assert sarif["version"] == "2.1.0"
    schema = json.loads((ROOT / "tests/report/schemas/sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"] for loc in r["locations"]}
    assert "jobs/bad.nomad.hcl" in uris


def test_clean_repository_passes(installed, tmp_path):
    repo = make_repo(tmp_path, {"jobs/good.nomad.hcl": GOOD})
    result = run_check(installed, repo, tmp_path, inputs={"paths": "jobs", "fail-on": "hard-mandatory"})
    assert result.failed_step is None, result.stdout + result.stderr
    assert result.outputs["exit-code"] == "0"
    assert result.outputs["blocking"] == "0"
    assert result.annotations("error") == []


def test_only_changed_checks_files_changed_against_base(installed, tmp_path):
    repo = make_repo(tmp_path, {"jobs/old.nomad.hcl": bad_job("old"), "jobs/good.nomad.hcl": GOOD})
    base = git(repo, "rev-parse", "HEAD")
    (repo / "jobs/new.nomad.hcl").write_text(bad_job("new"))
    (repo / "README.txt").write_text("not a job")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "pr")
    event = {"pull_request": {"base": {"sha": base}}}
    result = run_check(installed, repo, tmp_path, inputs={"paths": "jobs", "only-changed": "true"}, event=event)
    files = {m.group(1) for a in result.annotations() if (m := re.search(r"file=([^,]+)", a))}
    assert files == {"jobs/new.nomad.hcl"}
    assert result.outputs["exit-code"] == "1"


def test_only_changed_with_no_job_changes_is_green(installed, tmp_path):
    repo = make_repo(tmp_path, {"jobs/old.nomad.hcl": bad_job("old")})
    base = git(repo, "rev-parse", "HEAD")
    (repo / "notes.md").write_text("docs only")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "docs")
    result = run_check(installed, repo, tmp_path, inputs={"paths": "jobs", "only-changed": "true"},
                       event={"pull_request": {"base": {"sha": base}}})
    assert result.outputs["exit-code"] == "0"
    assert "No job files changed" in result.summary


def test_annotations_are_capped_and_changed_lines_come_first(installed, tmp_path):
    files = {f"jobs/bad{i:02d}.nomad.hcl": bad_job(f"bad{i:02d}") for i in range(14)}
    repo = make_repo(tmp_path, files)
    base = git(repo, "rev-parse", "HEAD")
    touched = ["jobs/bad11.nomad.hcl", "jobs/bad12.nomad.hcl", "jobs/bad13.nomad.hcl"]
    for rel in touched:  # the PR edits the secret line of the three last files (last in file order)
        (repo / rel).write_text(bad_job(Path(rel).name.split(".")[0], secret=SECRET[:-4] + "ZZZZ"))
    git(repo, "commit", "-qam", "pr")
    result = run_check(installed, repo, tmp_path, inputs={"paths": "jobs"},
                       event={"pull_request": {"base": {"sha": base}}})
    errors = [a for a in result.annotations("error") if "no-inline-secrets" in a]
    assert len(result.annotations("error")) == 10
    shown = {re.search(r"file=([^,]+)", a).group(1) for a in errors}
    assert set(touched) <= shown
    notices = result.annotations("notice")
    overflow = [a for a in notices if "more finding(s)" in a]
    assert len(overflow) == 1 and notices[-1] == overflow[0] and len(notices) <= 10
    hidden = int(re.search(r"::(\d+) more", overflow[0]).group(1))
    # every unsuppressed finding is either shown as an annotation or counted in the notice
    report = subprocess.run([sys.executable, "-m", "jobguard", "check", "--format", "json", "jobs"], cwd=repo,
                            capture_output=True, text=True, check=False)
    total = sum(1 for f in json.loads(report.stdout)["findings"] if not f["suppressed"])
    assert hidden == total - (len(result.annotations()) - 1) > 0


def test_bad_input_is_a_clear_error(installed, tmp_path):
    repo = make_repo(tmp_path, {"jobs/good.nomad.hcl": GOOD})
    result = run_check(installed, repo, tmp_path, inputs={"fail-on": "sometimes"})
    assert result.outputs["exit-code"] in ("", "2")
    assert result.exit_codes["check"] == 2
    assert any("fail-on" in a for a in result.annotations("error"))


def test_file_functions_of_a_pull_request_stay_in_the_checkout(installed, tmp_path):
    """A fork's job file reading outside the checkout is an error at its line; the content reaches no output."""
    outside = tmp_path / "runner-home"
    outside.mkdir()
    (outside / "credentials").write_text("runner-secret-canary\n")
    reader = GOOD.replace('ports = ["http"]', f'ports = ["http"]\n        args  = [file("{outside}/credentials")]')
    repo = make_repo(tmp_path, {"jobs/reader.nomad.hcl": reader})
    result = run_check(installed, repo, tmp_path, inputs={"paths": "jobs"})
    assert result.outputs["exit-code"] == "2"
    errors = result.annotations("error")
    assert any("file=jobs/reader.nomad.hcl,line=13" in a and "outside the paths" in a for a in errors), errors
    sarif = (repo / result.outputs["sarif-file"]).read_text()
    for text in (result.stdout, result.stderr, result.summary, sarif):
        assert "runner-secret-canary" not in text


def test_inputs_reach_scripts_only_through_env_and_uses_are_pinned():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    setup = action["runs"]["steps"][0]
    assert setup["with"]["update-environment"] is False


@pytest.mark.parametrize("target,schema", [("action.yml", "vendor.github-actions"),
                                           (".github/workflows/jobguard.yml", "vendor.github-workflows")])
def test_validates_against_schemastore(target, schema):
    proc = subprocess.run([venv_tool("check-jsonschema"), "--builtin-schema", schema, str(ROOT / target)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_offline_finds_nothing():
    proc = subprocess.run([venv_tool("zizmor"), "--offline", "--no-progress", str(ROOT / "action.yml"),
                           str(ROOT / ".github/workflows/jobguard.yml")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
