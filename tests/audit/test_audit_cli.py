"""``jobguard audit`` end to end against the cluster double: what is audited, how findings are named, every report
format, config discovery, exit codes, and bad input (unreachable, 403, garbage, timeouts) without a traceback."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import nomad
import pytest
from click.testing import CliRunner

from jobguard.cli import cli

from .conftest import NOBODY, READER, TOKEN, api_job

SARIF_SCHEMA = Path(__file__).resolve().parent.parent / "report" / "schemas" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No NOMAD_* from the developer's shell, and no jobguard.hcl from a parent directory."""
    for key in [k for k in os.environ if k.startswith("NOMAD_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def audit(cluster, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["audit", "--address", cluster.url, *args], env=env, catch_exceptions=False)


def as_json(result) -> dict:
    return json.loads(result.stdout)


def test_findings_name_namespace_job_version_and_api_path(cluster):
    result = audit(cluster, "--format", "json")
    assert result.exit_code == 1, result.output
    report = as_json(result)
    privileged = next(f for f in report["findings"] if f["rule"] == "no-privileged-containers")
    assert privileged["job"] == "default/api" and privileged["status"] == "blocking"
    assert privileged["file"] == f"nomad://127.0.0.1:{cluster.port}/v1/job/api?namespace=default#version=3"
    assert privileged["extra"]["job_version"] == 3
    assert privileged["extra"]["api_path"] == "/v1/job/api?namespace=default"
    assert privileged["path"] == "TaskGroups[0].Tasks[0].Config.privileged"
    secret = next(f for f in report["findings"] if f["rule"] == "no-inline-secrets")
    assert secret["job"] == "team-a/billing" and "hunter2" not in result.stdout
    assert report["summary"]["jobs"] == 4  # web, api, nightly, billing


def test_stopped_dead_and_children(cluster):
    files = {f["file"].split("/v1/job/")[1] for f in as_json(audit(cluster, "--format", "json"))["findings"]}
    assert not any(name.startswith(("batch-done", "nightly%2F")) for name in files)
    assert any(name.startswith("nightly?") for name in files)
    result = audit(cluster, "--format", "json", "--include-stopped")
    assert "default/batch-done" in {f["job"] for f in as_json(result)["findings"]}
    assert "1 stopped or dead skipped" in audit(cluster).stderr
    assert "2 periodic/dispatched instances reported under their parent" in audit(cluster).stderr


def test_exit_codes_follow_fail_on_and_only(cluster):
    assert audit(cluster, "--namespace", "default", "--only", "resources-declared").exit_code == 0
    assert audit(cluster, "--namespace", "default", "--only", "resources-declared,no-privileged-containers"
                 ).exit_code == 1
    assert audit(cluster, "--namespace", "default", "--skip", "no-privileged-containers").exit_code == 0
    assert audit(cluster, "--namespace", "default", "--fail-on", "advisory").exit_code == 1
    assert audit(cluster, "--namespace", "default", "--fail-on", "hard-mandatory").exit_code == 1


def test_every_format_is_valid(cluster, tmp_path):
    result = audit(cluster, "--output", f"sarif={tmp_path}/a.sarif", "--output", f"junit={tmp_path}/a.xml",
                   "--output", f"json={tmp_path}/a.json", "--output", f"github={tmp_path}/a.gh",
                   "--output", f"markdown={tmp_path}/a.md")
    assert result.exit_code == 1
    sarif = json.loads((tmp_path / "a.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert f"nomad://127.0.0.1:{cluster.port}/v1/job/api?namespace=default#version=3" in uris
    suites = ET.parse(tmp_path / "a.xml").getroot()
    # one failure per check that blocks on a job: api (privileged), billing (inline secret, no Vault template)
    assert suites.get("failures") == "3"
    assert json.loads((tmp_path / "a.json").read_text())["summary"]["blocking"] == 3
    assert "::error file=nomad%3A//127.0.0.1" in (tmp_path / "a.gh").read_text()  # ":" escaped in properties
    assert "team-a/billing" in (tmp_path / "a.md").read_text()
    assert "nomad://" in result.stdout and "Summary: 4 file(s), 4 job(s) checked" in result.stdout


def test_uses_the_nearest_jobguard_hcl_and_its_audit_block(cluster, tmp_path):
    (tmp_path / "jobguard.hcl").write_text('rules = "none"\nrule "no-inline-secrets" {}\n'
                                           'audit {\n  namespace = "team-a"\n}\n')
    report = as_json(audit(cluster, "--format", "json"))
    assert {f["job"] for f in report["findings"]} == {"team-a/billing"}
    assert {f["rule"] for f in report["findings"]} == {"no-inline-secrets"}
    flag = as_json(audit(cluster, "--format", "json", "--namespace", "default"))
    assert flag["findings"] == [] and flag["summary"]["jobs"] == 3
    env = as_json(audit(cluster, "--format", "json", env={"NOMAD_NAMESPACE": "default"}))
    assert env["summary"]["jobs"] == 3


def test_policies_and_config_errors(cluster, tmp_path):
    (tmp_path / "p.sentinel").write_text("main = rule { job.meta is not null }\n")
    result = audit(cluster, "--namespace", "default", "--only", "p", "--policy", str(tmp_path / "p.sentinel"),
                   "--format", "json")
    assert {f["rule"] for f in as_json(result)["findings"]} == {"p"} and result.exit_code == 1
    (tmp_path / "jobguard.hcl").write_text('rules = "most"\n')
    result = audit(cluster)
    assert result.exit_code == 2 and "jobguard.hcl:1:9: Invalid value; at rules" in result.stderr


def test_jobs_registered_with_python_nomad_are_audited(cluster):
    client = nomad.Nomad(host="127.0.0.1", port=cluster.port, timeout=10)
    client.job.register_job("fresh", {"Job": api_job("fresh", env={"API_TOKEN": "ghp_" + "a1B2" * 9})})
    report = as_json(audit(cluster, "--format", "json", "--namespace", "default", "--only", "no-inline-secrets"))
    assert [(f["job"], f["extra"]["job_version"]) for f in report["findings"]] == [("default/fresh", 0)]


# --------------------------------------------------------------------------------------------------- bad input
def test_unreachable_api_is_exit_2_without_traceback():
    result = CliRunner().invoke(cli, ["audit", "--address", "http://127.0.0.1:9", "--retries", "0"])
    assert result.exit_code == 2
    assert result.stderr.startswith("jobguard audit: Nomad at http://127.0.0.1:9 did not answer GET /v1/jobs")
    assert "Traceback" not in result.output


def test_403_on_the_listing_is_exit_2(acl_cluster):
    result = audit(acl_cluster, "--token", NOBODY)
    assert result.exit_code == 2
    assert "cannot list jobs: permission denied: GET /v1/jobs (namespace '*')" in result.stderr
    assert "namespace:list-jobs in at least one namespace" in result.stderr


def test_403_on_a_job_of_an_explicit_namespace_is_exit_2(acl_cluster):
    result = audit(acl_cluster, "--token", READER, "--namespace", "ops")
    assert result.exit_code == 2
    assert "cannot read job 'ops/secret-ops': permission denied" in result.stderr
    assert "namespace:read-job in 'ops'" in result.stderr


def test_403_on_a_namespace_when_listing_all_skips_it(acl_cluster):
    result = audit(acl_cluster, "--token", READER, "--format", "json")
    assert result.exit_code == 1
    assert {f["job"].split("/")[0] for f in as_json(result)["findings"]} == {"default", "team-a"}
    assert "namespace 'ops' skipped: permission denied" in result.stderr
    full = audit(acl_cluster, "--token", TOKEN, "--format", "json", "--namespace", "ops")
    assert {f["job"] for f in as_json(full)["findings"]} == {"ops/secret-ops"}


def test_unknown_namespace_and_region_are_exit_2(cluster):
    result = audit(cluster, "--namespace", "team-z")
    assert result.exit_code == 2
    assert "namespace 'team-z' does not exist or the token has no capability in it; visible namespaces: default, " \
           "team-a" in result.stderr
    result = audit(cluster, "--region", "mars")
    assert result.exit_code == 2 and "unknown region 'mars'" in result.stderr and "knows: global" in result.stderr


def test_garbage_for_one_job_is_an_error_of_that_job(cluster):
    cluster.double.fault("/v1/job/web", "garbage")
    result = audit(cluster, "--format", "json", "--namespace", "default")
    assert result.exit_code == 2
    report = as_json(result)
    (error,) = report["errors"]
    assert error["file"].startswith(f"nomad://127.0.0.1:{cluster.port}/v1/job/web?namespace=default")
    assert "with something that is not JSON" in error["message"]
    assert {f["job"] for f in report["findings"]} == {"default/api", "default/nightly"}


def test_garbage_listing_is_exit_2(cluster):
    cluster.double.fault("/v1/jobs", "garbage")
    result = audit(cluster)
    assert result.exit_code == 2 and "Nomad answered GET /v1/jobs" in result.stderr
    assert "not JSON" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("body, what", [('{"not": "a list"}', "dict, not a list of job stubs"),
                                        ('[1, 2]', "items that are not job stubs")])
def test_a_listing_of_the_wrong_shape_is_exit_2(cluster, body, what):
    cluster.double.fault("/v1/jobs", "json:" + body)
    result = audit(cluster)
    assert result.exit_code == 2 and f"Nomad answered GET /v1/jobs with {what}" in result.stderr


def test_a_job_of_the_wrong_shape_is_an_error_of_that_job(cluster):
    cluster.double.fault("/v1/job/web", 'json:{"ID": "web", "TaskGroups": "nope"}', "json:[]")
    report = as_json(audit(cluster, "--format", "json", "--namespace", "default"))
    assert "json: cannot unmarshal string into Go struct field Job.TaskGroups" in report["errors"][0]["message"]
    result = audit(cluster, "--format", "json", "--namespace", "default")
    assert result.exit_code == 2 and "Nomad answered GET /v1/job/web with list, not a job" in result.stdout


def test_timeouts_are_retried(cluster):
    cluster.double.hang_s = 5
    cluster.double.fault("/v1/job/api", "hang")
    result = audit(cluster, "--namespace", "default", "--timeout", "0.3", "--format", "json")
    assert result.exit_code == 1 and "default/api" in {f["job"] for f in as_json(result)["findings"]}
    cluster.double.fault("/v1/job/api", "hang", "hang")
    result = audit(cluster, "--namespace", "default", "--timeout", "0.3", "--retries", "1")
    assert result.exit_code == 2 and "no answer within 0.3 s" in result.stderr


def test_watch_only_options_need_watch(cluster):
    result = audit(cluster, "--change-log", "x.jsonl")
    assert result.exit_code == 2 and "need --watch" in result.stderr


def test_unknown_format(cluster):
    result = audit(cluster, "--format", "yaml")
    assert result.exit_code == 2 and "unknown format 'yaml'" in result.stderr


def test_every_namespace_skipped_is_exit_2(request):
    from .conftest import make_cluster

    lister = "1f2e3d4c-0000-4000-8000-00000000abcd"
    cluster = make_cluster(request, tokens={lister: {"AccessorID": "l", "SecretID": lister, "Type": "client"}},
                           acl={lister: {"ops": {"list-jobs"}}})
    cluster.double.seed(api_job("secret-ops"), namespace="ops")
    result = audit(cluster, "--token", lister)
    assert result.exit_code == 2
    assert "no job could be read: namespace 'ops': permission denied" in result.stderr
