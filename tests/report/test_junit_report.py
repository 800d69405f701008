import xml.etree.ElementTree as ET

from jobguard.report.junit import JunitReporter


def _tree(run):
    return ET.fromstring(JunitReporter().render(run))


def test_one_suite_per_file_and_totals(sample_run):
    root = _tree(sample_run)
    assert root.tag == "testsuites"
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == ["jobguard", "jobs/web.nomad.hcl", "jobs/api:v2,new.nomad", "jobs/broken.nomad"]
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("8", "2", "2", "1")


def test_a_testcase_per_check(sample_run):
    web = _tree(sample_run).find("testsuite[@name='jobs/web.nomad.hcl']")
    cases = {c.get("name"): c for c in web.findall("testcase")}
    assert sorted(cases) == ["cpu-set", "no-host-network", "no-inline-secrets", "no-latest-tag", "restrict-images"]
    failure = cases["no-inline-secrets"].find("failure")
    assert failure.get("type") == "hard-mandatory"
    assert "jobs/web.nomad.hcl:12:9" in failure.text
    assert cases["no-host-network"].find("skipped").get("message") == "legacy, see TICKET-1"
    assert cases["cpu-set"].find("*") is None  # passed
    assert "advisory:" in cases["restrict-images"].find("system-out").text
    assert (web.get("tests"), web.get("failures"), web.get("skipped")) == ("5", "2", "1")


def test_overridden_passes_and_parse_error_is_an_error(sample_run):
    root = _tree(sample_run)
    api = root.find("testsuite[@name='jobs/api:v2,new.nomad']/testcase")
    assert api.find("failure") is None and "overridden:" in api.find("system-out").text
    broken = root.find("testsuite[@name='jobs/broken.nomad']/testcase")
    assert broken.get("name") == "load" and "Unclosed configuration block" in broken.find("error").get("message")


def test_clean_file_is_one_passing_test(clean_run):
    root = _tree(clean_run)
    assert root.get("tests") == "1" and root.get("failures") == "0"
