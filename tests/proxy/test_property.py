"""Property: for random mutations of paths, queries, headers and key spellings, the proxy's reading of a write
(route, job ID, namespace, token, group, count, version...) equals the Go-rule reference (:mod:`.goref`), or the
proxy refuses the request. And what the proxy forwards reads back, by Go's rules, as what it judged."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobguard.proxy import gojson, routing
from jobguard.proxy.nomadrequest import NomadRequest, Refusal, parse

from . import goref

EXAMPLES = 1500  # per run of the main property; the forwarding property runs FORWARD_EXAMPLES
FORWARD_EXAMPLES = 600
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JOB_IDS = ["web", "a/b", "we b", "w%b", "ünï", "x;y", "p+q", "a#b", "dispatch", "scale", "x?y"]
NAMESPACES = ["", "default", "prod", "dev", "pr%6Fd", "a+b", "a%2Bb", "p%zz", "%ff", "x;", "*", "%2A", "p#q"]
SUFFIX = {"scale": "/scale", "revert": "/revert", "dispatch": "/dispatch", "plan": "/plan", "register": ""}
_UNRESERVED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")


@st.composite
def spelled(draw: st.DrawFn, name: str) -> str:
    """A spelling of field ``name`` Go may or may not fold to it: case flips, U+017F for s, U+212A for k,
    or a near miss."""
    out = []
    for ch in name:
        choice = draw(st.integers(0, 9))
        if ch in "sS" and choice == 0:
            out.append("ſ")
        elif ch in "kK" and choice == 0:
            out.append("\u212a")
        elif choice < 3:
            out.append(ch.swapcase())
        else:
            out.append(ch)
    word = "".join(out)
    return draw(st.sampled_from([word, word, word, word + "_", " " + word, word.replace("a", "á")]))


@st.composite
def encoded(draw: st.DrawFn, text: str, keep: str = "") -> str:
    """``text`` percent-encoded the way a client might: safe characters sometimes escaped, in either case."""
    out = []
    for byte in text.encode():
        ch = chr(byte)
        escape = draw(st.integers(0, 5)) == 0
        if (ch in _UNRESERVED or ch in keep) and not escape:
            out.append(ch)
        else:
            out.append(draw(st.sampled_from(["%{:02X}", "%{:02x}"])).format(byte))
    return "".join(out)


@st.composite
def query(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(["namespace", "namespace", "Namespace", "ns", "name%73pace", "region",
                                    "namespace;", "x"]))
        value = draw(st.sampled_from(NAMESPACES))
        pieces.append(draw(st.sampled_from([f"{key}={value}", f"{key}", f";{key}={value}", f"{key}={value};x",
                                            f"{key}={value}#", ""])))
    text = "&".join(pieces)
    return ("?" + text) if draw(st.booleans()) or text else ""


@st.composite
def target(draw: st.DrawFn, kind: str) -> str:
    job_id = draw(st.sampled_from(JOB_IDS))
    prefix = draw(st.sampled_from(["/v1/job/", "/v1/job/", "/v1/%6Aob/", "/v1/j%6fb/", "http://h/v1/job/",
                                   "/v1//job/"]))
    if kind == "register" and draw(st.booleans()):
        path = draw(st.sampled_from(["/v1/jobs", "/v1/jobs/", "/v1/job%73"]))
    else:
        suffix = SUFFIX[kind]
        if suffix and draw(st.integers(0, 4)) == 0:
            suffix = "%2F" + suffix[1:]
        path = prefix + draw(encoded(job_id, keep="/")) + suffix
    path += draw(st.sampled_from(["", "", "", "/", "#x", "%2F", "%zz", "/.", "?"]))
    return path + draw(query())


def scalar(draw: st.DrawFn, good: list[Any]) -> str:
    return json.dumps(draw(st.sampled_from(good + [None, "1", 1.0, -1, 2**64, True, [], {}])))


@st.composite
def body(draw: st.DrawFn, kind: str) -> bytes:
    fields: dict[str, list[Any]] = {
        "scale": {"Count": [0, 2, 9], "Message": ["m"], "Error": [False, True], "PolicyOverride": [True, False],
                  "Namespace": ["prod"], "SecretID": ["s"]},
        "revert": {"JobID": JOB_IDS, "JobVersion": [0, 1, 2**64 - 1], "EnforcePriorVersion": [1],
                   "Namespace": NAMESPACES, "AuthToken": ["t"], "PolicyOverride": [True]},
        "dispatch": {"JobID": JOB_IDS + [""], "Meta": [{"a": "b"}, {"A": "c"}], "Payload": ["aGk=", "%%"],
                     "IdPrefixTemplate": ["p"], "Namespace": NAMESPACES, "AuthToken": ["t"]},
        "register": {"Namespace": NAMESPACES, "SecretID": ["s"], "PolicyOverride": [True, False],
                     "EnforceIndex": [True], "Region": ["r"]},
        "plan": {"Namespace": NAMESPACES, "PolicyOverride": [True], "Diff": [True]},
    }[kind]
    pairs = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(sorted(fields)))
        pairs.append((draw(spelled(name)), scalar(draw, fields[name])))
    if kind == "scale":
        for _ in range(draw(st.integers(0, 2))):
            target_pairs = [(draw(st.sampled_from(["Group", "group", "GROUP", "Job", "Namespace"])),
                             scalar(draw, ["app", "other", "web", "prod"])) for _ in range(draw(st.integers(0, 3)))]
            pairs.append((draw(spelled("Target")), _object(target_pairs)))
    if kind in ("register", "plan"):
        for _ in range(draw(st.integers(0, 2))):
            job_pairs = [(draw(spelled(name)), scalar(draw, values)) for name, values in
                         draw(st.lists(st.sampled_from([("ID", JOB_IDS), ("Namespace", NAMESPACES),
                                                        ("Region", ["r", "global"])]), max_size=4))]
            pairs.append((draw(spelled("Job")), draw(st.sampled_from([_object(job_pairs), "null", '"x"']))))
    text = _object(pairs)
    return draw(st.sampled_from([text, text, text + " trailing", "null", "[]", text[:-1]])).encode()


def _object(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in pairs) + "}"


@st.composite
def request(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes]:
    kind = draw(st.sampled_from(sorted(SUFFIX)))
    headers = draw(st.sampled_from([{}, {"X-Nomad-Token": " hdr "}, {"Authorization": "bEaReR  b1 b2"},
                                    {"Authorization": "Basic x"}, {"X-Nomad-Token": " "}]))
    return draw(st.sampled_from(["PUT", "POST"])), draw(target(kind)), headers, draw(body(kind))


def proxy_view(method: str, raw_target: str, headers: dict[str, str], raw_body: bytes) -> NomadRequest | str:
    """The proxy's reading; "pass" for a request it relays unjudged, "denied" for one it refuses."""
    route = routing.classify_target(method, raw_target)
    if not route.intercepted:
        return "pass"
    try:
        return parse(route, headers, raw_body)
    except (Refusal, gojson.BodyError):
        return "denied"


def reference(method: str, raw_target: str, headers: dict[str, str], raw_body: bytes) -> goref.View | str:
    try:
        return goref.nomad_view(method, raw_target.encode("utf-8", "surrogateescape"), headers, raw_body)
    except goref.GoError as exc:
        return "other" if exc.status == 404 else "error"


def same_reading(req: NomadRequest, ref: goref.View) -> None:
    job_id = gojson.field(req.job, "ID") if req.kind in ("register", "plan") else req.job_id
    assert (req.kind, job_id, req.namespace, req.token) == (ref.kind, ref.job_id, ref.namespace, ref.token)
    if req.kind == "scale":
        assert (req.fields["Target"] or {}).get("Group", "") == ref.group
        assert req.fields["Count"] == ref.body["Count"]
        assert req.policy_override == ref.body["PolicyOverride"]
    elif req.kind == "revert":
        assert (req.fields["JobVersion"], req.fields["EnforcePriorVersion"]) == (ref.body["JobVersion"],
                                                                                  ref.body["EnforcePriorVersion"])
    elif req.kind == "dispatch":
        assert (req.fields["Meta"], req.fields["Payload"]) == (ref.body["Meta"], ref.body["Payload"])
    else:
        assert gojson.field(req.job, "ID") == ref.job_id
        assert req.policy_override == ref.body["PolicyOverride"]


@SETTINGS
@given(request())
def test_proxy_reads_writes_as_go_does_or_refuses(case: tuple[str, str, dict[str, str], bytes]) -> None:
    method, raw_target, headers, raw_body = case
    mine, ref = proxy_view(*case), reference(*case)
    if mine == "denied":
        return  # refusing is always safe
    if mine == "pass":
        assert ref == "other", f"the proxy relays unjudged a {getattr(ref, 'kind', ref)} Nomad would perform"
        return
    assert isinstance(ref, goref.View), f"the proxy accepts what Nomad refuses ({ref})"
    same_reading(mine, ref)


@settings(SETTINGS, max_examples=FORWARD_EXAMPLES)
@given(request())
def test_what_is_forwarded_reads_back_as_what_was_judged(case: tuple[str, str, dict[str, str], bytes]) -> None:
    method, raw_target, headers, raw_body = case
    mine = proxy_view(*case)
    if not isinstance(mine, NomadRequest):
        return
    forwarded = reference(method, mine.forward_target(), headers, mine.forward_body(mine.job))
    assert isinstance(forwarded, goref.View), forwarded
    same_reading(mine, forwarded)
