"""``jobguard check`` / ``jobguard init`` end to end: real loader, real engine, every format and exit code.

The fixture project (tests/check/fixtures/project) has a config, a soft-mandatory policy (tasks <= 256 MB) and three
jobs: ok, big (fails the policy) and secret (an inline DB password, hard-mandatory).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner

from jobguard.cli import cli

HERE = os.path.dirname(__file__)
SARIF_SUBSET = os.path.join(HERE, "..", "report", "sarif_subset.schema.json")
SDK_SARIF = os.path.join(HERE, "..", "report", "schemas", "sarif-2.1.0-rtm.5.json")
PROJECT = os.path.join(HERE, "..", "check", "fixtures", "project")  # the `project` fixture's source (tests/conftest)
SECRET = "Tr0ub4dor&3-correct-horse"
ONLY = "--only=no-inline-secrets,small-memory"


def check(*args, input=None):
    return CliRunner().invoke(cli, ["check", *args], input=input, catch_exceptions=False)


# --- exit codes --------------------------------------------------------------------------------------------------


def test_exit_0_when_nothing_blocks(project):
    result = check(ONLY, "jobs/ok.nomad.hcl")
    assert result.exit_code == 0, result.output
    assert "PASSED (fail-on soft-mandatory)" in result.output


def test_exit_1_on_blocking_and_the_override_and_fail_on(project):
    assert check(ONLY, "jobs/big.nomad.hcl").exit_code == 1
    overridden = check(ONLY, "--policy-override", "jobs/big.nomad.hcl")
    assert overridden.exit_code == 0 and "OVERRIDDEN" in overridden.output
    assert check(ONLY, "--fail-on", "hard-mandatory", "jobs/big.nomad.hcl").exit_code == 0
    assert check(ONLY, "--policy-override", "jobs/secret.nomad.hcl").exit_code == 1  # hard-mandatory


def test_fail_on_advisory_with_another_config(project):
    args = ["--config", "advisory.hcl", "--only", "small-memory", "jobs/big.nomad.hcl"]
    assert check(*args).exit_code == 0
    assert check(*args, "--fail-on", "advisory").exit_code == 1


def test_exit_2_on_a_broken_job_with_the_rest_reported(project):
    (project / "jobs" / "broken.nomad").write_text('job "b" {\n  group "g" {\n')
    result = check(ONLY, "--format", "json", "jobs")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [e["file"] for e in doc["errors"]] == ["jobs/broken.nomad"]
    assert doc["errors"][0]["line"] > 0 and doc["errors"][0]["column"] > 0
    assert {f["job"] for f in doc["findings"]} == {"big", "secret"}


def test_exit_2_on_usage_config_and_missing_paths(project):
    assert check("--format", "yaml", "jobs").exit_code == 2
    assert check("--var", "novalue", "jobs").exit_code == 2
    assert check("--fail-on", "never", "jobs").exit_code == 2
    assert check("--var-file", "nope.vars", "jobs").exit_code == 2
    missing = check(ONLY, "jobs/ok.nomad.hcl", "nope/")
    assert missing.exit_code == 2 and "nope/: no such file or directory" in missing.output
    (project / "jobguard.hcl").write_text('policy "x" {\n  enforcement_level = "sometimes"\n}\n')
    broken_config = check("jobs")
    assert broken_config.exit_code == 2
    assert "jobguard.hcl:" in broken_config.stderr and "Traceback" not in broken_config.stderr


def test_exit_2_on_a_bad_baseline(project):
    (project / "base.json").write_text("[]")
    result = check(ONLY, "--baseline", "base.json", "jobs")
    assert result.exit_code == 2 and "not a jobguard baseline" in result.stderr


def test_exit_3_on_an_internal_error(project, monkeypatch):
    from jobguard.check import runner

    def broken(self):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(runner.Runner, "run", broken)
    result = check("jobs")
    assert result.exit_code == 3
    assert "internal error: RuntimeError: kaboom" in result.stderr


def test_exit_codes_are_documented_in_help():
    out = CliRunner().invoke(cli, ["check", "--help"]).output
    for line in ("0  nothing blocking", "1  at least one blocking failure", "2  usage, config or input errors",
                 "3  internal error"):
        assert line in out


# --- inputs ------------------------------------------------------------------------------------------------------


def test_stdin(project):
    text = (project / "jobs" / "secret.nomad.hcl").read_text()
    result = check(ONLY, "--format", "json", "-", input=text)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert [(f["file"], f["rule"]) for f in doc["findings"]] == [("-", "no-inline-secrets")]


def test_stdin_that_is_not_utf8_is_an_input_error_at_its_position(project):
    result = CliRunner().invoke(cli, ["check", "--format", "json", "-"], input=b'job "x" {\n  a = "\xff"\n}\n')
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"] == [
        {"file": "-", "line": 2, "column": 8, "message": "Invalid file encoding; - is not UTF-8 text: byte 0xff"}]


def test_default_path_is_the_working_directory_and_skips_non_jobs(project):
    (project / "main.hcl").write_text('resource "nomad_job" "x" {\n  jobspec = "x"\n}\n')
    doc = json.loads(check(ONLY, "--format", "json").stdout)
    assert doc["summary"]["files"] == 3


def test_only_and_skip(project):
    doc = json.loads(check("--only", "small-memory", "--format", "json", "jobs").stdout)
    assert {f["rule"] for f in doc["findings"]} == {"small-memory"}
    doc = json.loads(check(ONLY, "--skip", "small-memory", "--format", "json", "jobs").stdout)
    assert {f["rule"] for f in doc["findings"]} == {"no-inline-secrets"}


def test_vars(project):
    (project / "jobs" / "var.nomad.hcl").write_text(
        'variable "mem" {\n  default = 128\n}\njob "var" {\n  group "g" {\n    task "t" {\n'
        '      driver = "docker"\n      config {\n        image = "nginx:1.27.2"\n      }\n'
        '      resources {\n        memory = var.mem\n      }\n    }\n  }\n}\n')
    assert check(ONLY, "jobs/var.nomad.hcl").exit_code == 0
    r = check(ONLY, "--var", "mem=1024", "jobs/var.nomad.hcl")
    assert r.exit_code == 1, r.output + r.stderr
    (project / "big.vars").write_text("mem = 2048\n")
    assert check(ONLY, "--var-file", "big.vars", "jobs/var.nomad.hcl").exit_code == 1


# --- formats -----------------------------------------------------------------------------------------------------


def test_text_format_redacts_and_points(project):
    result = check(ONLY, "jobs")
    out = result.output
    assert SECRET not in out
    assert 'DB_PASSWORD = "****"' in out and "hint: run `jobguard rules no-inline-secrets`" in out
    assert "jobs/secret.nomad.hcl\n" in out and "\x1b[" not in out
    assert "\x1b[" in check(ONLY, "--color", "jobs").output


def test_json_format(project):
    doc = json.loads(check(ONLY, "--format", "json", "jobs").stdout)
    assert set(doc) == {"version", "findings", "errors", "summary"}
    assert doc["summary"]["blocking"] == 2 and SECRET not in json.dumps(doc)


def test_sarif_format(project):
    doc = json.loads(check(ONLY, "--format", "sarif", "jobs").stdout)
    with open(SARIF_SUBSET) as fh:
        schema = json.load(fh)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"]: r["level"] for r in results} == {"no-inline-secrets": "error", "small-memory": "warning"}
    secret = next(r for r in results if r["ruleId"] == "no-inline-secrets")
    location = secret["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "jobs/secret.nomad.hcl", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 13, "startColumn": 9,
                                  "snippet": {"text": '        DB_PASSWORD = "****"'}}  # masked, never the secret
    assert location["contextRegion"]["startLine"] == 12 and location["contextRegion"]["endLine"] == 14
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["no-inline-secrets"]["help"]["text"]
    with open(SDK_SARIF) as fh:  # the official 2.1.0 schema, from Microsoft's SARIF SDK (tests/report/schemas)
        official = json.load(fh)
    jsonschema.validators.validator_for(official)(official).validate(doc)


def test_junit_format(project):
    root = ET.fromstring(check(ONLY, "--format", "junit", "jobs").stdout)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["jobs/big.nomad.hcl", "jobs/ok.nomad.hcl", "jobs/secret.nomad.hcl"]
    ok_cases = [c.get("name") for c in suites["jobs/ok.nomad.hcl"].findall("testcase")]
    assert ok_cases == ["no-inline-secrets", "small-memory"]
    assert root.get("failures") == "2"


def test_github_format(project):
    lines = check(ONLY, "--format", "github", "jobs").stdout.splitlines()
    assert any(line.startswith("::error file=jobs/secret.nomad.hcl,line=13,col=9,title=no-inline-secrets")
               for line in lines)
    assert len(lines) == 2


def test_markdown_format(project):
    out = check(ONLY, "--format", "markdown", "jobs").stdout
    assert out.startswith("## jobguard")
    assert "| `jobs/secret.nomad.hcl` | 1 | 0 | 0 | 0 | 0 |" in out


def test_several_outputs_in_one_run(project):
    result = check(ONLY, "--output", "sarif=out/r.sarif", "--output", "junit=out/r.xml", "--output",
                   "json=out/r.json", "--quiet", "jobs")
    assert result.exit_code == 1
    assert json.loads((project / "out" / "r.sarif").read_text())["version"] == "2.1.0"
    assert ET.fromstring((project / "out" / "r.xml").read_text()).tag == "testsuites"
    assert json.loads((project / "out" / "r.json").read_text())["summary"]["files"] == 3
    assert "Summary" not in result.stdout and "FAIL" in result.stdout


def test_jobs_2_output_identical_to_jobs_1(project):
    one = check("--no-cache", "--jobs", "1", "--format", "json", "jobs")
    two = check("--no-cache", "--jobs", "2", "--format", "json", "jobs")
    assert one.exit_code == two.exit_code and one.stdout == two.stdout


def test_baseline_flow(project):
    created = check(ONLY, "--create-baseline", "baseline.json", "jobs")
    assert created.exit_code == 0
    assert check(ONLY, "--baseline", "baseline.json", "jobs").exit_code == 0
    shutil.copy(project / "jobs" / "secret.nomad.hcl", project / "jobs" / "secret2.nomad.hcl")
    (project / "jobs" / "secret2.nomad.hcl").write_text(
        (project / "jobs" / "secret2.nomad.hcl").read_text().replace('job "secret"', 'job "secret2"'))
    assert check(ONLY, "--baseline", "baseline.json", "jobs").exit_code == 1


# --- init ----------------------------------------------------------------------------------------------------------


def test_init_writes_a_working_starter_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JOBGUARD_CACHE_DIR", str(tmp_path / "cache"))
    first = CliRunner().invoke(cli, ["init"])
    assert first.exit_code == 0 and "wrote jobguard.hcl" in first.output
    assert (tmp_path / "policies" / "example.sentinel").exists()
    again = CliRunner().invoke(cli, ["init"])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert CliRunner().invoke(cli, ["init", "--force"]).exit_code == 0
    shutil.copy(os.path.join(PROJECT, "jobs", "ok.nomad.hcl"), tmp_path / "ok.nomad.hcl")
    result = check("--only", "example", "ok.nomad.hcl")
    assert result.exit_code == 0, result.output


# --- the real process ------------------------------------------------------------------------------------------------


def test_real_process_stdin_and_no_traceback(project):
    env = {**os.environ, "JOBGUARD_CACHE_DIR": str(project / ".cache")}
    proc = subprocess.run([sys.executable, "-m", "jobguard", "check", ONLY, "-"], input='job "x" {\n  group {\n',
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "- \n" in proc.stdout or "-\n" in proc.stdout


def test_plugin_format_from_the_jobguard_reporters_hook(project):
    from jobguard import hookspec
    from jobguard.plugins import get_plugin_manager
    from jobguard.report.base import Reporter

    class CountReporter(Reporter):
        name = "count"

        def render(self, results):
            return f"{results.summary()['blocking']} blocking\n"

    class Plugin:
        @hookspec.hookimpl
        def jobguard_reporters(self):
            return {"count": CountReporter}

    pm = get_plugin_manager()
    plugin = Plugin()
    pm.register(plugin)
    try:
        result = check(ONLY, "--format", "count", "--output", "count=out.txt", "jobs")
        assert (result.exit_code, result.stdout) == (1, "2 blocking\n")
        assert (project / "out.txt").read_text() == "2 blocking\n"
    finally:
        pm.unregister(plugin)
    assert check(ONLY, "--format", "count", "jobs").exit_code == 2


# --- no surprises: what was written, what was skipped, what blocks ---------------------------------------------


def test_create_baseline_says_where_it_wrote_how_many_fingerprints(project):
    result = check(ONLY, "--format", "json", "--create-baseline", "out/baseline.json", "jobs")
    assert result.exit_code == 0
    assert "jobguard: wrote 2 fingerprint(s) to baseline out/baseline.json" in result.stderr
    json.loads(result.stdout)  # stdout stays a clean report
    with open("out/baseline.json") as fh:
        assert len(json.load(fh)["findings"]) == 2


def test_summary_counts_skipped_files_and_v_lists_them(project):
    (project / "jobs" / "web.job").write_text((project / "jobs" / "ok.nomad.hcl").read_text())
    (project / "jobs" / "main.hcl").write_text('resource "nomad_job" "x" {}\n')
    plain = check(ONLY, "jobs")
    assert "Skipped 2 file(s) that were not checked (-v lists them):" in plain.output
    assert "  1 extension .job is not checked" in plain.output
    assert "jobs/web.job" not in plain.output
    verbose = check(ONLY, "-v", "jobs")
    assert "  skipped jobs/web.job: extension .job is not checked" in verbose.output
    assert "  skipped jobs/main.hcl: not a Nomad job" in verbose.output
    doc = json.loads(check(ONLY, "--format", "json", "jobs").stdout)
    assert doc["summary"]["skipped_files"] == 2
    assert {s["path"] for s in doc["summary"]["skipped"]} == {"jobs/web.job", "jobs/main.hcl"}


def test_extensions_from_the_flag_and_from_the_config(project):
    (project / "jobs" / "web.job").write_text((project / "jobs" / "secret.nomad.hcl").read_text())
    flag = json.loads(check(ONLY, "--format", "json", "--extensions", ".job,.nomad.hcl", "jobs").stdout)
    assert sorted(f["file"] for f in flag["findings"] if f["rule"] == "no-inline-secrets") == [
        "jobs/secret.nomad.hcl", "jobs/web.job"]
    config = (project / "jobguard.hcl").read_text() + '\ncheck {\n  extensions = [".job"]\n}\n'
    (project / "jobguard.hcl").write_text(config)
    doc = json.loads(check(ONLY, "--format", "json", "jobs").stdout)
    assert doc["summary"]["files"] == 1 and doc["findings"][0]["file"] == "jobs/web.job"
    assert doc["summary"]["skipped_files"] == 3  # the .nomad.hcl files, now outside the configured extensions
    bad = check(ONLY, "--extensions", "a/b", "jobs")
    assert bad.exit_code == 2 and "invalid file extension" in bad.output
    (project / "jobguard.hcl").write_text(config.replace('[".job"]', '["a/b"]'))
    broken = check(ONLY, "jobs")
    assert broken.exit_code == 2 and "jobguard.hcl:" in broken.stderr


def test_the_last_line_gives_errors_and_blocking(project):
    (project / "jobs" / "broken.nomad").write_text('job "b" {\n  group "g" {\n')
    result = check(ONLY, "jobs")
    assert result.exit_code == 2
    last = result.output.rstrip("\n").splitlines()[-1]
    assert last == "ERROR: 1 error(s) in the input; 2 blocking finding(s) (fail-on soft-mandatory)"


def _git(cwd, *args):
    git = shutil.which("git")
    return subprocess.run([git, "-C", str(cwd), *args], capture_output=True, text=True, check=True,
                          env={"HOME": str(cwd), "PATH": os.environ.get("PATH", ""), "GIT_CONFIG_NOSYSTEM": "1"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed on this machine")
@pytest.mark.parametrize("home", ["user-home", None])
def test_a_check_leaves_nothing_for_git_add_in_the_repository(project, tmp_path, monkeypatch, home):
    """The cache goes to the user's cache directory; without a home, the project-local one ignores itself."""
    monkeypatch.delenv("JOBGUARD_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    if home:
        (tmp_path / home).mkdir()
        monkeypatch.setenv("HOME", str(tmp_path / home))
    else:
        monkeypatch.delenv("HOME", raising=False)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    before = _git(project, "status", "--porcelain").stdout
    assert check(ONLY, "jobs").exit_code == 1
    assert check(ONLY, "jobs").exit_code == 1  # the second run reads the cache
    _git(project, "add", "-A")
    assert _git(project, "status", "--porcelain").stdout == before
    local = project / ".jobguard-cache"
    if home:
        assert not local.exists() and (tmp_path / home / ".cache" / "jobguard" / ".gitignore").is_file()
    else:
        assert (local / ".gitignore").read_text().splitlines()[-1] == "*"


def test_init_then_test_agree_on_where_policies_live(tmp_path, monkeypatch):
    """`jobguard test` with no PATH tests the policies the nearest jobguard.hcl names (init writes policies/)."""
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    result = CliRunner().invoke(cli, ["test"])
    assert result.exit_code == 0, result.output
    assert "PASS - policies/example.sentinel" in result.output and "2/2 test cases passed" in result.output
    (tmp_path / "jobs").mkdir()
    monkeypatch.chdir(tmp_path / "jobs")  # from a subfolder too: the config is found upwards
    assert CliRunner().invoke(cli, ["test"]).exit_code == 0


def test_test_follows_the_config_wherever_it_keeps_policies(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "guardrails").mkdir()
    (tmp_path / "guardrails" / "p.sentinel").write_text("main = rule { true }\n")
    (tmp_path / "jobguard.hcl").write_text('policy "p" {\n  source = "./guardrails/p.sentinel"\n}\n')
    result = CliRunner().invoke(cli, ["test"])
    assert result.exit_code == 0 and "guardrails/p.sentinel" in result.output
    (tmp_path / "jobguard.hcl").write_text('policy "p" {\n  sauce = 1\n}\n')
    broken = CliRunner().invoke(cli, ["test"])
    assert broken.exit_code == 2 and "jobguard.hcl:" in broken.stderr


def test_test_without_a_config_looks_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["test"])
    assert result.exit_code == 2 and "no *.sentinel policies found in ." in result.stderr


def test_suppression_comment_in_a_job_with_a_strip_marker(project):
    """Issue #12: the comment used to be ignored (and the finding blocked) when the job used ``${~ ... ~}``."""
    job = project / "jobs" / "strip.nomad.hcl"
    job.write_text('job "strip" {\n  meta = { note = "a ${~ "x" ~} b" }\n  group "g" {\n    task "t" {\n'
                   '      driver = "docker"\n      config {\n'
                   '        # jobguard:ignore no-latest-tag reason="demo"\n        image = "nginx:latest"\n'
                   '      }\n    }\n  }\n}\n')
    result = check("--only=no-latest-tag", "--format", "json", "jobs/strip.nomad.hcl")
    assert result.exit_code == 0, result.output
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["line"], finding["suppressed"]) == ("no-latest-tag", 8, True)
