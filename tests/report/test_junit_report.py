"""JUnit: valid against Jenkins' schema (tests/report/schemas/junit-jenkins.xsd), one failure per blocking finding."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest
import xmlschema

from jobguard.report.base import FileResult, RunResult
from jobguard.report.junit import JunitReporter

from .conftest import make_finding

SCHEMA = os.path.join(os.path.dirname(__file__), "schemas", "junit-jenkins.xsd")


@pytest.fixture(scope="module")
def jenkins_schema():
    return xmlschema.XMLSchema(SCHEMA)


def assert_valid(schema, xml_text: str) -> None:
    errors = list(schema.iter_errors(xml_text))
    assert not errors, "\n".join(str(e.reason) + " at " + str(e.path) for e in errors[:5])


def _tree(run):
    return ET.fromstring(JunitReporter().render(run))


def test_valid_against_the_jenkins_schema(jenkins_schema, sample_run, clean_run):
    assert_valid(jenkins_schema, JunitReporter().render(sample_run))
    assert_valid(jenkins_schema, JunitReporter().render(clean_run))


def test_the_schema_rejects_what_jenkins_rejects(jenkins_schema):
    assert not jenkins_schema.is_valid('<testsuites skipped="0"/>')
    assert not jenkins_schema.is_valid('<testsuites><testsuite name="a" tests="1" failures="0"/></testsuites>')
    assert not jenkins_schema.is_valid('<testsuites time="1s"/>')


def test_one_suite_per_file_and_totals(sample_run):
    sample_run.duration = 1.23456
    root = _tree(sample_run)
    assert root.tag == "testsuites"
    assert "skipped" not in root.attrib and root.get("time") == "1.235"
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == ["jobguard", "jobs/web.nomad.hcl", "jobs/api:v2,new.nomad", "jobs/broken.nomad"]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("8", "2", "2")
    assert sum(int(s.get("skipped")) for s in root.findall("testsuite")) == 1


def test_a_testcase_per_check_and_per_blocking_finding(sample_run):
    sample_run.files[0].duration = 0.5
    web = _tree(sample_run).find("testsuite[@name='jobs/web.nomad.hcl']")
    assert web.get("time") == "0.500" and web.get("file") == "jobs/web.nomad.hcl"
    cases = {c.get("name"): c for c in web.findall("testcase")}
    assert sorted(cases) == ["cpu-set", "no-host-network", "no-inline-secrets (TaskGroups[0].Tasks[0].Env.DB_PASSWORD)",
                             "no-latest-tag (TaskGroups[0].Tasks[0].Config.image)", "restrict-images"]
    assert all(c.get("time") == "0.000" for c in cases.values())
    failure = cases["no-inline-secrets (TaskGroups[0].Tasks[0].Env.DB_PASSWORD)"].find("failure")
    assert failure.get("type") == "hard-mandatory"
    assert "jobs/web.nomad.hcl:12:9" in failure.text
    assert cases["no-host-network"].find("skipped").get("message") == "legacy, see TICKET-1"
    assert cases["cpu-set"].find("*") is None  # passed
    assert "advisory:" in cases["restrict-images"].find("system-out").text
    assert (web.get("tests"), web.get("failures"), web.get("skipped")) == ("5", "2", "1")


def test_several_blocking_findings_of_one_rule_are_several_failures(jenkins_schema, tmp_path):
    path = str(tmp_path / "jobs" / "multi.nomad")
    findings = [make_finding(file=path, rule="no-latest-tag", enforcement_level="soft-mandatory", line=n,
                             path=f"TaskGroups[0].Tasks[{n}].Config.image", message=f"task {n} uses :latest")
                for n in range(3)]
    findings.append(make_finding(file=path, rule="no-latest-tag", enforcement_level="soft-mandatory", line=9,
                                 path="TaskGroups[0].Tasks[0].Config.image", message="again"))
    findings.append(make_finding(file=path, rule="no-latest-tag", enforcement_level="advisory", line=10,
                                 path="TaskGroups[1].Tasks[0].Config.image", message="advisory one"))
    run = RunResult(files=[FileResult(file=path, jobs=["multi"], findings=findings)], root=str(tmp_path))
    text = JunitReporter().render(run)
    assert_valid(jenkins_schema, text)
    suite = ET.fromstring(text).find("testsuite")
    cases = suite.findall("testcase")
    assert [len(c.findall("failure")) for c in cases] == [1, 1, 1, 1]
    assert [c.get("name") for c in cases] == [
        "no-latest-tag (TaskGroups[0].Tasks[0].Config.image)", "no-latest-tag (TaskGroups[0].Tasks[1].Config.image)",
        "no-latest-tag (TaskGroups[0].Tasks[2].Config.image)", "no-latest-tag (TaskGroups[0].Tasks[0].Config.image #2)"]
    assert (suite.get("tests"), suite.get("failures")) == ("4", "4")
    assert "advisory one" in cases[0].find("system-out").text


def test_job_text_that_xml_cannot_carry(jenkins_schema, tmp_path):
    path = str(tmp_path / "ctl.nomad")
    bad = make_finding(file=path, message="image \x00\x1b[31mred\x07 <&> \ud800", job="j\x01", path="")
    run = RunResult(files=[FileResult(file=path, jobs=["j"], findings=[bad])], root=str(tmp_path))
    text = JunitReporter().render(run)
    assert_valid(jenkins_schema, text)
    failure = ET.fromstring(text).find(".//failure")
    assert failure.get("message") == "image \\x00\\x1b[31mred\\x07 <&> \\ud800"
    assert ET.fromstring(text).find(".//testcase").get("name") == "no-inline-secrets (job j\\x01)"


def test_overridden_passes_and_parse_error_is_an_error(sample_run):
    root = _tree(sample_run)
    api = root.find("testsuite[@name='jobs/api:v2,new.nomad']/testcase")
    assert api.find("failure") is None and "overridden:" in api.find("system-out").text
    broken = root.find("testsuite[@name='jobs/broken.nomad']/testcase")
    assert broken.get("name") == "load" and "Unclosed configuration block" in broken.find("error").get("message")


def test_clean_file_is_one_passing_test(clean_run):
    root = _tree(clean_run)
    assert root.get("tests") == "1" and root.get("failures") == "0"
