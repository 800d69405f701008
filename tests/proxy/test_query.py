"""The request target by Go's net/url rules, and routing on Go's URL.Path."""

from __future__ import annotations

import pytest

from jobguard.proxy import routing
from jobguard.proxy.query import MAX_PARAMS, Target, TargetError, parse_query, parse_target, unescape


@pytest.mark.parametrize("raw, namespace", [
    ("namespace=prod", "prod"),
    ("namespace=ghost;", ""),                           # a pair with ';' is dropped
    ("namespace=ghost;&namespace=default", "default"),
    ("namespace=x;y=1", ""),
    ("namespace=default%zz", ""),                       # a bad escape drops the pair
    ("namespace=default%zz&namespace=b", "b"),
    ("namespace=%zz=1&namespace=b", "b"),
    ("namespace=a&namespace=b", "a"),                    # Get returns the first value
    ("namespace=&namespace=b", ""),                      # ... even an empty one
    ("namespace=a+b", "a b"), ("namespace=a%2Bb", "a+b"), ("name%73pace=p", "p"), ("namespace", ""),
    ("Namespace=p", ""), ("ns=p", ""), ("namespace[]=p", ""), ("&&namespace=p&", "p"),
    ("namespace=p%", ""), ("namespace=p%4", ""), ("namespace=%70", "p"),
])
def test_query_like_go(raw: str, namespace: str) -> None:
    assert Target("/", parse_query(raw)).get("namespace") == namespace


def test_query_keeps_bytes_that_are_not_utf8() -> None:
    value = Target("/", parse_query("namespace=%ff")).get("namespace")
    assert value.encode("utf-8", "surrogateescape") == b"\xff"


def test_too_many_parameters_are_refused_because_go_versions_disagree() -> None:
    parse_query("&" * (MAX_PARAMS - 1) + "namespace=p")
    with pytest.raises(TargetError):
        parse_query("a=1&" * MAX_PARAMS + "namespace=p")


@pytest.mark.parametrize("raw, path, query", [
    ("/v1/job/web/scale?namespace=p", "/v1/job/web/scale", (("namespace", "p"),)),
    ("/v1/job/a%2Fb/scale", "/v1/job/a/b/scale", ()),
    ("/v1/job/web/scale#frag", "/v1/job/web/scale#frag", ()),            # no fragment in a request target
    ("/v1/job/web/scale?x=1#&namespace=p", "/v1/job/web/scale", (("x", "1#"), ("namespace", "p"))),
    ("/v1/job/web?", "/v1/job/web", ()),
    ("/v1/job/a+b", "/v1/job/a+b", ()),                                 # '+' is a plus in a path
    ("http://nomad:4646/v1/jobs?namespace=p", "/v1/jobs", (("namespace", "p"),)),
    ("/v1/job/%77eb", "/v1/job/web", ()),
])
def test_target_like_parse_request_uri(raw: str, path: str, query: tuple) -> None:
    target = parse_target(raw)
    assert (target.path, target.params) == (path, query)


@pytest.mark.parametrize("raw", ["/v1/job/web%zz/scale", "/v1/job/%", "v1/jobs", "/v1/jobs\x7f", ":x", "",
                                 "http://%zz/v1/jobs"])
def test_targets_go_refuses(raw: str) -> None:
    with pytest.raises(TargetError):
        parse_target(raw)
    assert routing.classify_target("PUT", raw).kind == routing.INVALID


def test_unescape_modes() -> None:
    assert unescape(b"a+b%20c", True) == b"a b c"
    assert unescape(b"a+b%20c", False) == b"a+b c"


@pytest.mark.parametrize("raw", [
    "/v1/job/web/scale?namespace=ghost;&namespace=default", "/v1/job/a%2Fb?namespace=a+b&x=%ff&y=%26%3D",
    "/v1/job/we%23b?namespace=%E2%82&namespace=c", "/v1/job/%ff%2F/x?k=v#x", "/v1/jobs?a&b=&=c",
])
def test_canonical_encoding_reads_back_the_same(raw: str) -> None:
    target = parse_target(raw)
    again = parse_target(target.encode())
    assert again == target
    assert "#" not in target.encode() and ";" not in target.encode().partition("?")[2]


@pytest.mark.parametrize("method, raw, kind, job_id", [
    ("PUT", "/v1/job/web%2Fscale", routing.SCALE, "web"),
    ("PUT", "/v1/job/web/scale/", routing.REGISTER, "web/scale/"),
    ("PUT", "/v1/job/web/scale#x", routing.REGISTER, "web/scale#x"),
    ("PUT", "/v1/job/web/scale?namespace=x#y", routing.SCALE, "web"),
    ("POST", "/v1/%6Aob/web/revert", routing.REVERT, "web"),
    ("PUT", "/v1/jobs#", routing.PASS, ""),                 # Go's mux has no /v1/jobs# route: 404 upstream
    ("PUT", "/v1/job/x%2Fdispatch%2Fplan", routing.PLAN, "x/dispatch"),
    ("POST", "/v1/job/web%zz", routing.INVALID, ""),
    ("GET", "/v1/job/web%zz", routing.PASS, ""),              # reads are relayed; Nomad refuses the target
])
def test_classify_target_routes_on_gos_path(method: str, raw: str, kind: str, job_id: str) -> None:
    route = routing.classify_target(method, raw)
    assert (route.kind, route.job_id) == (kind, job_id)
