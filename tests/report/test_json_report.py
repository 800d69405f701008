import json

import pytest

from jobguard.report.json import JsonReporter

FINDING_KEYS = {"rule", "kind", "enforcement_level", "severity", "message", "file", "line", "column", "job", "path",
                "suppressed", "overridden"}


def test_top_level_shape_is_exactly_versioned(sample_run):
    doc = json.loads(JsonReporter().render(sample_run))
    assert set(doc) == {"version", "findings", "errors", "summary"}
    assert doc["version"] == 1


def test_findings_carry_the_contract_fields(sample_run):
    doc = json.loads(JsonReporter().render(sample_run))
    assert len(doc["findings"]) == 5
    for item in doc["findings"]:
        assert set(item) >= FINDING_KEYS
    first = doc["findings"][0]
    assert (first["rule"], first["kind"], first["line"], first["column"]) == ("no-inline-secrets", "rule", 12, 9)
    assert first["status"] == "blocking"
    policy = next(f for f in doc["findings"] if f["kind"] == "policy")
    assert policy["rule"] == "restrict-images" and policy["status"] == "advisory"
    suppressed = next(f for f in doc["findings"] if f["suppressed"])
    assert suppressed["suppression"]["reason"] == "legacy, see TICKET-1"


def test_errors_have_file_line_column_message(sample_run):
    doc = json.loads(JsonReporter().render(sample_run))
    assert doc["errors"][0] == {"file": "missing/", "line": 0, "column": 0, "message": "no such file or directory"}
    broken = doc["errors"][1]
    assert set(broken) == {"file", "line", "column", "message"}
    assert (broken["line"], broken["column"]) == (4, 3)
    assert broken["message"] == "Unclosed configuration block; There is no closing brace for this block"


def test_summary(sample_run, clean_run):
    summary = json.loads(JsonReporter().render(sample_run))["summary"]
    assert summary["blocking"] == 2 and summary["exit_code"] == 2 and summary["passed"] is False
    clean = json.loads(JsonReporter().render(clean_run))
    assert clean["findings"] == [] and clean["errors"] == []
    assert clean["summary"]["passed"] is True and clean["summary"]["files"] == 1


# --- the published JSON Schema (jobguard/report/schemas/report-v1.schema.json) -----------------------------------

import os  # noqa: E402
from pathlib import Path  # noqa: E402

import jsonschema  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from jobguard.report.schemas import report_schema  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def assert_schema_valid(doc) -> None:
    schema = report_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_the_schema_is_versioned_and_names_the_project():
    from jobguard.project import PROJECT_URL
    from jobguard.report.json import JSON_REPORT_VERSION

    schema = report_schema()
    assert schema["properties"]["version"] == {"const": JSON_REPORT_VERSION}
    assert schema["$id"] == f"{PROJECT_URL}/blob/main/jobguard/report/schemas/report-v{JSON_REPORT_VERSION}.schema.json"


def test_hand_built_reports_are_valid(sample_run, clean_run):
    assert_schema_valid(json.loads(JsonReporter().render(sample_run)))
    assert_schema_valid(json.loads(JsonReporter().render(clean_run)))


def test_the_schema_catches_a_broken_report(sample_run):
    doc = json.loads(JsonReporter().render(sample_run))
    doc["findings"][0]["status"] = "failing"
    with pytest.raises(AssertionError):
        assert_schema_valid(doc)
    doc = json.loads(JsonReporter().render(sample_run))
    doc["extra_top_level"] = 1
    with pytest.raises(AssertionError):
        assert_schema_valid(doc)


def test_a_real_run_over_many_jobs_is_valid_and_links_every_rule_to_its_docs(tmp_path, monkeypatch):
    """The examples and the e2e fixtures (good, bad, broken, suppressed, policies), a job that does not parse, a
    file passed over, a missing path: the report of the real CLI validates, and every rule finding has help_uri."""
    from jobguard.cli import cli
    from tests.e2e.fixture_jobs import write_jobs

    write_jobs(tmp_path / "e2e")
    (tmp_path / "broken.nomad").write_text('job "b" {\n  group "g" {\n')
    (tmp_path / "web.job").write_text('job "w" {\n  group "g" {\n    task "t" {\n      driver = "exec"\n'
                                      '    }\n  }\n}\n')
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--jobs", "1", "--format", "json", "--config",
                                      "examples/jobguard.hcl", "examples", "tests/e2e/fixtures", str(tmp_path),
                                      "missing-dir/"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert_schema_valid(doc)
    assert doc["summary"]["files"] > 10 and len(doc["findings"]) > 20
    assert any(item["path"].endswith("web.job") for item in doc["summary"]["skipped"])
    rules = [f for f in doc["findings"] if f["kind"] == "rule"]
    assert rules and all(f["help_uri"].endswith(f"/docs/rules.md#{f['rule']}") for f in rules)
    assert os.path.basename(doc["errors"][0]["file"].rstrip("/")) == "missing-dir"
