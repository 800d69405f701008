"""The cluster double answers like Nomad's API documentation says, checked with python-nomad (a client written
against the real API) and with raw HTTP: if these hold, the audit tests exercise what a real cluster would send."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import nomad
import pytest

from .cluster_double import start_at_closest
from .conftest import NOBODY, READER, TOKEN, api_job


def client(cluster, token: str = "", namespace: str | None = None) -> nomad.Nomad:
    return nomad.Nomad(host="127.0.0.1", port=cluster.port, token=token or None, namespace=namespace, timeout=10)


def get(cluster, path: str, token: str = "") -> tuple[int, dict, object]:
    req = urllib.request.Request(cluster.url + path, headers={"X-Nomad-Token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_python_nomad_lists_stubs_of_one_namespace_or_all(cluster):
    default = client(cluster).jobs.get_jobs()
    assert sorted(s["ID"] for s in default) == ["api", "batch-done", "nightly", "nightly/periodic-1",
                                                "nightly/periodic-2", "web"]
    everything = client(cluster).jobs.get_jobs(namespace="*")
    assert {(s["Namespace"], s["ID"]) for s in everything} >= {("team-a", "billing"), ("default", "web")}
    stub = next(s for s in everything if s["ID"] == "nightly/periodic-2")
    assert (stub["ParentID"], stub["Status"], stub["Stop"], stub["Periodic"]) == ("nightly", "running", False, False)
    assert next(s for s in everything if s["ID"] == "nightly")["Periodic"] is True
    assert "TaskGroups" not in stub and isinstance(stub["JobModifyIndex"], int)


def test_python_nomad_reads_a_job_namespaces_and_regions(cluster):
    job = client(cluster, namespace="team-a").job.get_job("billing")
    assert job["TaskGroups"][0]["Tasks"][0]["Env"] == {"DB_PASSWORD": "hunter2-hunter2-hunter2"}
    assert job["Version"] == 0 and job["Namespace"] == "team-a"
    assert [n["Name"] for n in client(cluster).namespaces.get_namespaces()] == ["default", "team-a"]
    assert client(cluster).regions.get_regions() == ["global"]


def test_python_nomad_registers_and_the_stub_shows_the_new_version(cluster):
    client(cluster).job.register_job("web", {"Job": api_job("web", image="nginx:1.28.0")})
    stub = next(s for s in client(cluster).jobs.get_jobs() if s["ID"] == "web")
    job = client(cluster).job.get_job("web")
    assert job["Version"] == 1 and stub["JobModifyIndex"] == job["JobModifyIndex"]


def test_acl_list_and_read(acl_cluster):
    assert get(acl_cluster, "/v1/jobs?namespace=ops")[0] == 403  # no token
    status, _, stubs = get(acl_cluster, "/v1/jobs?namespace=*", READER)
    assert status == 200 and {s["Namespace"] for s in stubs} == {"default", "team-a", "ops"}
    assert get(acl_cluster, "/v1/job/secret-ops?namespace=ops", READER)[:3:2] == (403, "Permission denied")
    assert get(acl_cluster, "/v1/jobs?namespace=*", NOBODY)[0] == 403
    assert get(acl_cluster, "/v1/job/secret-ops?namespace=ops", TOKEN)[0] == 200
    status, _, names = get(acl_cluster, "/v1/namespaces", READER)
    assert [n["Name"] for n in names] == ["default", "ops", "team-a"]
    with pytest.raises(nomad.api.exceptions.URLNotAuthorizedNomadException):
        client(acl_cluster, READER, namespace="ops").job.get_job("secret-ops")


def test_pagination_and_index_header(cluster):
    for n in range(7):
        cluster.double.seed(api_job(f"page-{n}"), namespace="team-b")
    status, headers, first = get(cluster, "/v1/jobs?namespace=team-b&per_page=3")
    assert status == 200 and len(first) == 3 and headers["X-Nomad-NextToken"]
    assert int(headers["X-Nomad-Index"]) == cluster.double.index
    seen = [s["ID"] for s in first]
    token = headers["X-Nomad-NextToken"]
    while token:
        _, headers, page = get(cluster, f"/v1/jobs?namespace=team-b&per_page=3&next_token={token}")
        seen += [s["ID"] for s in page]
        token = headers.get("X-Nomad-NextToken")
    assert seen == [f"page-{n}" for n in range(7)]


def test_unknown_region_is_no_path_to_region(cluster):
    assert get(cluster, "/v1/jobs?region=mars")[:3:2] == (500, "No path to region")


def test_faults_are_consumed_in_order(cluster):
    cluster.double.fault("/v1/jobs", "503", "garbage")
    assert get(cluster, "/v1/jobs")[0] == 503
    req = urllib.request.Request(cluster.url + "/v1/jobs")
    with urllib.request.urlopen(req, timeout=10) as resp, pytest.raises(ValueError):
        json.loads(resp.read())
    assert get(cluster, "/v1/jobs")[0] == 200


def read_stream(cluster, query: str, lines: int, token: str = "") -> list[dict]:
    """Raw HTTP: the first ``lines`` NDJSON objects of an event stream."""
    sock = socket.create_connection(("127.0.0.1", cluster.port), timeout=10)
    head = f"GET /v1/event/stream?{query} HTTP/1.1\r\nHost: x\r\n" + (f"X-Nomad-Token: {token}\r\n" if token else "")
    sock.sendall((head + "\r\n").encode())
    data = b""
    while data.count(b"\n{") + data.count(b"\r\n{}") < lines + 5 and len(data) < 1 << 20:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        body = data.split(b"\r\n\r\n", 1)[-1]
        objects = [line for line in _dechunk(body).split(b"\n") if line.startswith(b"{")]
        if len(objects) >= lines:
            sock.close()
            return [json.loads(o) for o in objects[:lines]]
    sock.close()
    raise AssertionError(f"stream ended early: {data[:500]!r}")


def _dechunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        try:
            size = int(size_line, 16)
        except ValueError:
            return out
        out, rest = out + rest[:size], rest[size + 2:]
    return out


def test_event_stream_replays_from_index_then_heartbeats(cluster):
    first = cluster.double.buffer[0]["Index"]
    messages = read_stream(cluster, f"topic=Job&namespace=*&index={first + 1}", 3)
    assert messages[0]["Index"] == first + 1 and messages[0]["Events"][0]["Type"] == "JobRegistered"
    assert all(m == {} or m["Index"] > first for m in messages)
    heartbeats = read_stream(cluster, f"topic=Job&namespace=*&index={cluster.double.index + 1}", 3)
    assert heartbeats[1:] == [{}, {}]  # the newest event (Nomad's StartAtClosest), then heartbeats


def test_event_stream_filters_namespace_and_needs_read_job(acl_cluster):
    assert get(acl_cluster, "/v1/event/stream?topic=Job&namespace=ops", READER)[0] == 403
    assert get(acl_cluster, "/v1/event/stream?topic=Job&namespace=*", READER)[0] == 403  # no policy on "*"
    (message,) = read_stream(acl_cluster, "topic=Job&namespace=team-a&index=1", 1, READER)
    assert [e["Key"] for e in message["Events"]] == ["billing"]


def test_start_at_closest_follows_nomads_event_buffer():
    buffer = [{"Index": i} for i in (5, 7, 9)]
    assert start_at_closest(buffer, 0) == buffer
    assert start_at_closest(buffer, 3) == buffer  # left the buffer: the oldest there is
    assert start_at_closest(buffer, 7) == buffer[1:]
    assert start_at_closest(buffer, 8) == buffer[2:]
    assert start_at_closest(buffer, 10) == buffer[2:]  # beyond: the newest item
    assert start_at_closest([], 4) == []
