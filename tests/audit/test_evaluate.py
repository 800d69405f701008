"""The audit describes rules in its reports exactly as ``jobguard check`` does (one builder,
``Engine.findings_metadata``): built-in rules now carry their docs link in the audit's rule metadata too."""

from __future__ import annotations

from pathlib import Path

from jobguard.audit.evaluate import Evaluator
from jobguard.check import CheckOptions, Runner
from jobguard.jobspec import load_text
from jobguard.project import rule_help_uri
from jobguard.report.sarif import SarifReporter

JOB = """\
job "web" {
  group "g" {
    task "app" {
      driver = "docker"
      config {
        image = "nginx:latest"
      }
    }
  }
}
"""


def test_audit_and_check_build_the_same_rule_metadata(tmp_path: Path) -> None:
    (tmp_path / "web.nomad.hcl").write_text(JOB, encoding="utf-8")
    evaluator = Evaluator.load(start_dir=str(tmp_path)).locate("127.0.0.1:4646")
    api_job = load_text(JOB, filename="web.nomad.hcl").canonical
    audited = evaluator.report([evaluator.evaluate(api_job, "default")])
    checked = Runner(CheckOptions(paths=[str(tmp_path / "web.nomad.hcl")], start_dir=str(tmp_path),
                                  use_cache=False, jobs=1)).run()

    assert "no-latest-tag" in audited.rules
    assert {rule: checked.rules[rule] for rule in audited.rules} == audited.rules
    assert audited.rules["no-latest-tag"]["help_uri"] == rule_help_uri("no-latest-tag")
    descriptors = SarifReporter().document(audited)["runs"][0]["tool"]["driver"]["rules"]
    assert {d["id"]: d.get("helpUri") for d in descriptors}["no-latest-tag"] == rule_help_uri("no-latest-tag")
