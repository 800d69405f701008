"""Unit tests of the pure parts: routing like Nomad, Nomad-format strings, metrics text (Go JSON: test_gojson)."""

from __future__ import annotations

import pytest

from jobguard.engine.findings import Finding
from jobguard.proxy import routing
from jobguard.proxy.metrics import Metrics
from jobguard.proxy.responses import denial_text, describe, format_warnings, merge_warnings, multierror, \
    parse_warnings


@pytest.mark.parametrize("method, path, kind, job_id", [
    ("PUT", "/v1/jobs", routing.REGISTER, ""),
    ("post", "/v1/jobs", routing.REGISTER, ""),
    ("GET", "/v1/jobs", routing.PASS, ""),
    ("POST", "/v1/jobs/parse", routing.PASS, ""),
    ("POST", "/v1/validate/job", routing.VALIDATE, ""),
    ("PUT", "/v1/job/web", routing.REGISTER, "web"),
    ("PUT", "/v1/job/a/b/c", routing.REGISTER, "a/b/c"),
    ("PUT", "/v1/job/", routing.REGISTER, ""),
    ("POST", "/v1/job/web/plan", routing.PLAN, "web"),
    ("POST", "/v1/job/a/plan/plan", routing.PLAN, "a/plan"),
    ("POST", "/v1/job/web/scale", routing.SCALE, "web"),
    ("GET", "/v1/job/web/scale", routing.PASS, ""),
    ("POST", "/v1/job/web/revert", routing.REVERT, "web"),
    ("POST", "/v1/job/web/dispatch", routing.DISPATCH, "web"),
    ("POST", "/v1/job/web/evaluate", routing.PASS, ""),
    ("POST", "/v1/job/web/periodic/force", routing.PASS, ""),
    ("POST", "/v1/job/web/stable", routing.PASS, ""),
    ("POST", "/v1/job/x/dispatch/plan", routing.PLAN, "x/dispatch"),  # suffix order: /plan is tested first
    ("DELETE", "/v1/job/web", routing.PASS, ""),
])
def test_classify_like_nomad(method: str, path: str, kind: str, job_id: str) -> None:
    route = routing.classify(method, path)
    assert route.kind == kind
    if kind != routing.PASS:
        assert route.job_id == job_id


@pytest.mark.parametrize("path, cleaned", [
    ("/v1/jobs", "/v1/jobs"), ("/v1//jobs", "/v1/jobs"), ("//v1/jobs", "/v1/jobs"), ("/v1/job/./x", "/v1/job/x"),
    ("/v1/job/a/../../jobs", "/v1/jobs"), ("/v1/job/", "/v1/job/"), ("/../v1/jobs", "/v1/jobs"), ("", "/"),
])
def test_clean_path_like_go(path: str, cleaned: str) -> None:
    assert routing.clean_path(path) == cleaned


def test_warning_strings_match_nomad() -> None:
    assert format_warnings([]) == ""
    assert format_warnings(["a"]) == "1 warning:\n\n* a"
    assert format_warnings(["a", "b"]) == "2 warnings:\n\n* a\n* b"
    assert parse_warnings("2 warnings:\n\n* a\n* b") == ["a", "b"]
    assert parse_warnings("1 warning(s):\n\n* old style") == ["old style"]
    assert parse_warnings("free text") == ["free text"]
    assert merge_warnings("1 warning:\n\n* a", ["b"]) == "2 warnings:\n\n* a\n* b"
    assert merge_warnings("", []) == ""
    assert multierror(["x"]) == "1 error occurred:\n\t* x\n\n"
    assert multierror(["x", "y"]) == "2 errors occurred:\n\t* x\n\t* y\n\n"


def finding(**kw) -> Finding:
    base = dict(rule="r", kind="rule", enforcement_level="hard-mandatory", severity="high", message="m", file="f")
    return Finding(**{**base, **kw})


def test_denial_text_lists_every_check() -> None:
    lines = [describe(finding(path="TaskGroups[0].Count")), describe(finding(rule="p", kind="policy",
                                                                             enforcement_level="soft-mandatory"))]
    text = denial_text("web", lines, "hint")
    assert text == ('jobguard denied job "web": 2 failed checks:\n'
                    '\t* hard-mandatory rule "r" failed: m (TaskGroups[0].Count)\n'
                    '\t* soft-mandatory policy "p" failed: m\nhint')


def test_metrics_render_is_prometheus_text() -> None:
    m = Metrics()
    m.decision("register", "deny", 0.002, [finding(), finding(suppressed=True), finding(enforcement_level="advisory")])
    m.passed("get")
    text = m.render()
    assert 'jobguard_decisions_total{kind="register",outcome="deny"} 1' in text
    assert 'jobguard_rule_results_total{rule="r",level="hard-mandatory",outcome="fail"} 1' in text
    assert 'jobguard_rule_results_total{rule="r",level="hard-mandatory",outcome="suppressed"} 1' in text
    assert 'jobguard_rule_results_total{rule="r",level="advisory",outcome="warn"} 1' in text
    assert 'jobguard_decision_duration_seconds_bucket{kind="register",le="0.0025"} 1' in text
    assert 'jobguard_decision_duration_seconds_bucket{kind="register",le="0.001"} 0' in text
    assert 'jobguard_passthrough_requests_total{method="GET"} 1' in text
    for line in text.splitlines():
        assert line.startswith("#") or line.rsplit(" ", 1)[1].replace(".", "", 1).isdigit()
