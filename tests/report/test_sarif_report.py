import json
import os

import jsonschema
import pytest

from jobguard.report.sarif import SarifReporter

HERE = os.path.dirname(__file__)
OFFICIAL_SCHEMA = os.path.join(HERE, "..", "..", "..", "shared", "schemas", "sarif-2.1.0.json")


def _validate(doc, schema):
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def _doc(run):
    return json.loads(SarifReporter().render(run))


def test_valid_against_the_compact_schema(sample_run, clean_run):
    with open(os.path.join(HERE, "sarif_subset.schema.json")) as fh:
        schema = json.load(fh)
    _validate(_doc(sample_run), schema)
    _validate(_doc(clean_run), schema)


SDK_SCHEMA = os.path.join(HERE, "schemas", "sarif-2.1.0-rtm.5.json")  # from Microsoft's SARIF SDK, see README


def test_valid_against_the_official_schema_from_the_sarif_sdk(sample_run, clean_run):
    with open(SDK_SCHEMA) as fh:
        schema = json.load(fh)
    _validate(_doc(sample_run), schema)
    _validate(_doc(clean_run), schema)


@pytest.mark.skipif(not os.path.exists(OFFICIAL_SCHEMA), reason="the shared copy of the schema is not at ../shared")
def test_valid_against_the_shared_copy_of_the_official_schema(sample_run, clean_run):
    with open(OFFICIAL_SCHEMA) as fh:
        schema = json.load(fh)
    _validate(_doc(sample_run), schema)
    _validate(_doc(clean_run), schema)


def test_rules_with_help_and_levels(sample_run):
    driver = _doc(sample_run)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "jobguard"
    rules = {r["id"]: r for r in driver["rules"]}
    assert sorted(rules) == ["no-host-network", "no-inline-secrets", "no-latest-tag", "restrict-images"]
    secret = rules["no-inline-secrets"]
    assert secret["name"] == "NoInlineSecrets"
    assert secret["defaultConfiguration"]["level"] == "error"
    assert "Use a Vault template." in secret["help"]["text"]
    assert "jobguard rules no-inline-secrets" in secret["help"]["text"]
    assert secret["help"]["markdown"] == "# docs"
    assert rules["restrict-images"]["defaultConfiguration"]["level"] == "note"
    assert rules["no-latest-tag"]["defaultConfiguration"]["level"] == "warning"


def test_results_levels_locations_and_fingerprints(sample_run):
    run = _doc(sample_run)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "warning", "warning"]
    first = results[0]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "jobs/web.nomad.hcl", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 12, "startColumn": 9, "snippet": {"text": '      DB_PASSWORD = "****"'}}
    assert first["partialFingerprints"] == {"jobguard/v1": "fp-secret"}
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]
    api = results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert api == "jobs/api%3Av2%2Cnew.nomad"  # a ":" in the first segment would read as a URI scheme


def test_suppressions_and_notifications(sample_run):
    run = _doc(sample_run)["runs"][0]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                              "justification": "legacy, see TICKET-1"}]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "no such file or directory", "Unclosed configuration block; There is no closing brace for this block"]
    assert notes[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 3}


def test_files_outside_the_root_get_absolute_uris(sample_run, tmp_path):
    sample_run.root = str(tmp_path / "elsewhere")
    os.makedirs(sample_run.root)
    loc = _doc(sample_run)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc["uri"].startswith("file:///") and "uriBaseId" not in loc


# --- the SARIF SDK's best-practice rules (multitool Sarif + Gh sets) --------------------------------------------


def test_driver_full_name_information_uri_and_automation_details(sample_run):
    from jobguard.project import PROJECT_URL

    run = _doc(sample_run)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["fullName"].startswith("jobguard") and driver["version"] in driver["fullName"]
    assert driver["informationUri"] == PROJECT_URL
    assert run["automationDetails"] == {"id": "jobguard/"}


def test_every_rule_has_a_help_uri(sample_run):
    from jobguard.project import rule_help_uri

    sample_run.rules["no-inline-secrets"]["help_uri"] = rule_help_uri("no-inline-secrets")
    for f in sample_run.findings:
        f.help_uri = f.help_uri or rule_help_uri(f.rule)
    rules = {r["id"]: r for r in _doc(sample_run)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["no-inline-secrets"]["helpUri"].endswith("/docs/rules.md#no-inline-secrets")
    assert all(r.get("helpUri") for r in rules.values())


def test_snippet_and_context_region_from_the_masked_lines(sample_run):
    fr = sample_run.files[0]
    fr.lines.update({11: "    env {", 13: "    }"})
    result = _doc(sample_run)["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["region"]["snippet"] == {"text": '      DB_PASSWORD = "****"'}
    assert physical["contextRegion"] == {"startLine": 11, "endLine": 13,
                                         "snippet": {"text": '    env {\n      DB_PASSWORD = "****"\n    }\n'}}
    policy = _doc(sample_run)["runs"][0]["results"][2]["locations"][0]["physicalLocation"]
    assert "contextRegion" not in policy  # only the line itself is known: no context region


def test_version_control_provenance(sample_run):
    from jobguard.report.vcs import Provenance

    assert "versionControlProvenance" not in _doc(sample_run)["runs"][0]
    sample_run.provenance = Provenance("https://github.com/org/jobs.git", "a" * 40, "main")
    doc = _doc(sample_run)
    assert doc["runs"][0]["versionControlProvenance"] == [{
        "repositoryUri": "https://github.com/org/jobs.git", "revisionId": "a" * 40, "branch": "main",
        "mappedTo": {"uriBaseId": "%SRCROOT%"}}]
    with open(SDK_SCHEMA) as fh:
        _validate(doc, json.load(fh))


def test_a_uri_location_is_used_as_is(tmp_path):
    """jobguard audit names a running job by a nomad:// URI; it must not be turned into a path under %SRCROOT%."""
    from jobguard.report.base import FileResult, RunResult
    from jobguard.report.locations import display_path, is_uri, relative_path

    from .conftest import make_finding

    uri = "nomad://127.0.0.1:4646/v1/job/a%20b?namespace=default#version=3"
    assert is_uri(uri) and not is_uri("jobs/web.nomad.hcl") and not is_uri("C:\\jobs\\web.hcl")
    assert relative_path(uri, str(tmp_path)) is None and display_path(uri, str(tmp_path)) == uri
    run = RunResult(files=[FileResult(file=uri, jobs=["default/a b"], findings=[make_finding(file=uri, line=0)])],
                    root=str(tmp_path))
    doc = _doc(run)
    (result,) = doc["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": uri}}
    with open(SDK_SCHEMA) as fh:
        _validate(doc, json.load(fh))
