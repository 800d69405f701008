"""``Submission.Source`` on registration: kept (default), stripped, or verified with Nomad's own parser."""

from __future__ import annotations

import json

import pytest

from jobguard.jobspec import load_text
from jobguard.proxy.settings import ProxySettings
from jobguard.proxy.submission import first_difference, render_variables

from .conftest import _stack

SOURCE = """
variable "image" {
  type    = string
  default = "nginx:1.27"
}

job "web" {
  datacenters = ["dc1"]
  meta { owner = "team-a" }
  group "app" {
    count = 2
    task "server" {
      driver = "docker"
      config { image = var.image }
      resources {
        cpu    = 100
        memory = 128
      }
    }
  }
}
"""


def submitted(source: str = SOURCE, flags: dict | None = None, count: int | None = None) -> dict:
    """What ``nomad job run`` sends: the parsed job and the source it came from."""
    job = load_text(source, "web.nomad.hcl", variables=flags or {}, env={}).job
    if count is not None:
        job["TaskGroups"][0]["Count"] = count
    return {"Job": job, "Submission": {"Source": source, "Format": "hcl2", "VariableFlags": flags or {},
                                       "Variables": ""}}


def forwarded(s) -> dict:
    return json.loads(s.double.writes_to("/v1/jobs")[0].body)


def test_keep_forwards_the_source_untouched(request: pytest.FixtureRequest, engine) -> None:
    s = _stack(request, engine)
    assert s.http("PUT", "/v1/jobs", submitted(count=3))[0] == 200  # only the job is judged
    assert forwarded(s)["Submission"]["Source"] == SOURCE


def test_strip_removes_it(request: pytest.FixtureRequest, engine) -> None:
    s = _stack(request, engine, submission="strip")
    assert s.http("PUT", "/v1/jobs", submitted())[0] == 200
    assert "Submission" not in forwarded(s)


def test_verify_accepts_a_source_that_produces_the_job(request: pytest.FixtureRequest, engine) -> None:
    s = _stack(request, engine, submission="verify")
    status, _, text = s.http("PUT", "/v1/jobs", submitted(flags={"image": "nginx:1.28"}))
    assert status == 200, text
    parse_call = [r for r in s.double.requests if r.path == "/v1/jobs/parse"][0]
    assert 'image = "nginx:1.28"' in json.loads(parse_call.body)["Variables"]


@pytest.mark.parametrize("change, message", [
    ({"count": 4}, b"they differ at TaskGroups[0].Count"),
    ({"source": SOURCE.replace('owner = "team-a"', 'owner = file("/etc/hostname")')}, b"filesystem function"),
])
def test_verify_refuses_a_source_that_says_otherwise(request: pytest.FixtureRequest, engine, change: dict,
                                                     message: bytes) -> None:
    s = _stack(request, engine, submission="verify")
    body = submitted(count=change.get("count"))
    if "source" in change:
        body["Submission"]["Source"] = change["source"]
    status, _, text = s.http("PUT", "/v1/jobs", body)
    assert status == 400 and message in text
    assert not s.double.writes_to("/v1/jobs")


def test_verify_json_sources_locally(request: pytest.FixtureRequest, engine) -> None:
    s = _stack(request, engine, submission="verify")
    body = submitted()
    body["Submission"] = {"Source": json.dumps({"Job": body["Job"]}), "Format": "json"}
    assert s.http("PUT", "/v1/jobs", body)[0] == 200
    body["Submission"]["Source"] = json.dumps({"Job": {**body["Job"], "Priority": 99}})
    assert s.http("PUT", "/v1/jobs", body)[0] == 400


def test_setting_is_validated() -> None:
    assert ProxySettings(submission="maybe").validate() == ['submission \'maybe\' must be "keep", "strip" or "verify"']


def test_render_variables_like_the_cli() -> None:
    assert render_variables('a = "x"\n', {"b": "y", "c": '["l"]', "d": "3"}) == 'a = "x"\nb = "y"\nc = ["l"]\nd = "3"\n'
    assert render_variables("", {}) == ""


def test_first_difference() -> None:
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == "a[1].b"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "a"
    assert first_difference({"a": 1}, {"a": 1}) is None
