import json

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
