"""End to end with the real loader: HCL and API JSON jobs, positions from the real source map, every suppression
form, a config file with a policy and an exception, and the installed rule pack running without errors."""

from __future__ import annotations

import datetime as dt

from jobguard.engine import Engine, EvalContext
from jobguard.jobspec import load_api_job, load_file, load_text

from .conftest import write

JOB = """\
job "web" {
  priority = 5
  meta = {
    "jobguard.ignore" = "test-advice: low priority is intended for this batch"
  }
  group "g" {
    # jobguard:ignore test-floating-tag reason="pinned by CI"
    task "app" {
      driver = "docker"
      config {
        image = "nginx:latest"
      }
      env {
        DB_PASSWORD = "hunter2" // jobguard:ignore test-env-secret reason="fixture" expires=2030-01-01
        MODE        = "prod"
      }
    }
    task "side" {
      driver = "docker"
      config {
        image = "redis:latest"
      }
    }
  }
}
"""

TODAY = dt.date(2026, 6, 1)


def summary(result):
    return sorted((f.rule, f.line, f.column, f.suppressed, (f.suppression or {}).get("kind")) for f in result.findings)


def test_hcl_job_positions_and_all_suppression_forms(tmp_path, pm):
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    result = engine.evaluate(load_text(JOB, filename="jobs/web.nomad.hcl"), today=TODAY)
    assert summary(result) == [
        ("test-advice", 2, 3, True, "meta"),
        ("test-env-secret", 14, 9, True, "comment"),
        ("test-floating-tag", 11, 9, True, "comment"),
        ("test-floating-tag", 21, 9, False, None),
    ]
    side = next(f for f in result.findings if not f.suppressed)
    assert (side.file, side.job, side.path_text) == ("jobs/web.nomad.hcl", "web", "TaskGroups[0].Tasks[1].Config.image")
    assert result.blocking() and not result.blocking("hard-mandatory")


def test_expired_comment_with_the_real_loader(tmp_path, pm):
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm, only=["test-env-secret", "expired-suppression"])
    result = engine.evaluate(load_text(JOB, filename="web.nomad.hcl"), today=dt.date(2030, 1, 2))
    assert summary(result) == [("expired-suppression", 14, 33, False, None), ("test-env-secret", 14, 9, False, None)]


def test_api_json_job_meta_suppression_works_without_source(tmp_path, pm):
    job = {"ID": "api-job", "Name": "api-job", "Type": "service", "Datacenters": ["dc1"],
           "TaskGroups": [{"Name": "g", "Count": 1,
                           "Meta": {"jobguard.ignore": "test-floating-tag: vendor image, tracked in JIRA-1"},
                           "Tasks": [{"Name": "t", "Driver": "docker", "Config": {"image": "vendor/app:latest"},
                                      "Env": {"ADMIN_PASSWORD": "x"}}]}]}
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    result = engine.evaluate(load_api_job(job), context=EvalContext(namespace="prod"), today=TODAY)
    assert [(f.rule, f.suppressed, f.file, f.line) for f in result.findings] == [
        ("test-env-secret", False, "<request>", 0), ("test-floating-tag", True, "<request>", 0)]


def test_config_policy_and_exception_end_to_end(tmp_path, pm):
    write(tmp_path / "policies" / "restrict-images.sentinel",
          "# Only approved images\nparam allowed\n"
          "main = rule { all job.task_groups as g { all g.tasks as t { t.config.image in allowed } } }\n")
    write(tmp_path / "jobguard.hcl", """\
policy "restrict-images" {
  source            = "./policies/restrict-images.sentinel"
  enforcement_level = "soft-mandatory"
  params            = { allowed = ["nginx:latest"] }
}
rule "test-env-secret" { enforcement_level = "soft-mandatory" }
exception "legacy" {
  rules   = ["restrict-images"]
  jobs    = ["legacy-*"]
  reason  = "old images until the migration"
}
""")
    job_file = write(tmp_path / "jobs" / "web.nomad.hcl", JOB)
    engine = Engine.load(start_dir=tmp_path / "jobs", plugin_manager=pm)
    assert engine.config.path == str(tmp_path / "jobguard.hcl")
    result = engine.evaluate(load_file(str(job_file)), today=TODAY)
    (policy,) = [f for f in result.findings if f.kind == "policy"]
    assert (policy.rule, policy.line, policy.enforcement_level, policy.suppressed) == (
        "restrict-images", 1, "soft-mandatory", False)
    assert result.blocking() and not engine.evaluate(load_file(str(job_file)), policy_override=True,
                                                     today=TODAY).blocking()
    legacy = load_text(JOB.replace('job "web"', 'job "legacy-web"'), filename="legacy.nomad.hcl")
    (policy,) = [f for f in engine.evaluate(legacy, today=TODAY).findings if f.kind == "policy"]
    assert policy.suppressed and policy.suppression["kind"] == "exception"


def test_installed_rule_pack_runs_without_errors(tmp_path):
    engine = Engine.load(start_dir=tmp_path)
    assert len(engine.rules) > 2  # the built-in rule pack plus the engine's suppression rules
    result = engine.evaluate(load_text(JOB, filename="web.nomad.hcl"), today=TODAY)
    assert result.errors == []
    for finding in result.findings:
        assert finding.file == "web.nomad.hcl" and finding.line > 0 and finding.job == "web"
        assert "hunter2" not in finding.message
