"""Everything that is not a job submission reaches Nomad untouched and comes back unbuffered."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import os
import shutil
import socket
import subprocess
import time

import aiohttp
import pytest

from jobguard.proxy.settings import ProxySettings

from .conftest import Stack, make_job
from .nomad_double import NomadDouble


def test_get_is_relayed_with_nomad_headers(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    s.http("PUT", "/v1/jobs", {"Job": make_job("api")}, base=s.direct_url)
    status, headers, body = s.http("GET", "/v1/job/api")
    d_status, d_headers, d_body = s.http("GET", "/v1/job/api", base=s.direct_url)
    assert status == d_status == 200
    assert json.loads(body) == json.loads(d_body)
    assert headers["X-Nomad-Index"] == d_headers["X-Nomad-Index"]
    assert headers["X-Nomad-KnownLeader"] == "true"


def test_request_headers_forwarded_and_hop_by_hop_dropped(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    s.http("GET", "/v1/status/leader", headers={"X-Custom": "yes", "X-Nomad-Token": "t0k", "Connection": "close",
                                                "Keep-Alive": "timeout=5"})
    seen = s.double.requests[-1].headers
    assert seen["X-Custom"] == "yes"
    assert seen["X-Nomad-Token"] == "t0k"
    assert "Keep-Alive" not in seen
    assert seen["X-Forwarded-For"] == "127.0.0.1"


def test_missing_job_404_is_nomads_answer(passthrough_stack: Stack) -> None:
    status, _, body = passthrough_stack.http("GET", "/v1/job/nope")
    assert (status, body) == (404, b"job not found")


def test_blocking_query_waits_for_index(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    index = s.double.index

    async def later() -> None:
        await asyncio.sleep(0.3)
        await s.double._bump("Job", {"ID": "x"})

    s.call_soon(later())
    started = time.monotonic()
    status, headers, _ = s.http("GET", f"/v1/jobs?index={index}&wait=5s")
    assert status == 200
    assert int(headers["X-Nomad-Index"]) > index
    assert 0.25 < time.monotonic() - started < 4


def test_upstream_session_has_no_read_timeout(passthrough_stack: Stack) -> None:
    """Blocking queries may hang for wait (<= 10 min) + jitter: nothing may cut them at 300 s."""
    timeout = passthrough_stack.proxy.upstream.session.timeout
    assert timeout.total is None and timeout.sock_read is None


@pytest.mark.parametrize("passthrough_stack", [{"heartbeat_s": 0.1}], indirect=True)
def test_event_stream_byte_exact(passthrough_stack: Stack) -> None:
    s = passthrough_stack

    async def read_both() -> tuple[bytes, bytes]:
        async with aiohttp.ClientSession() as session:
            proxied = await session.get(s.url + "/v1/event/stream?topic=Job")
            direct = await session.get(s.direct_url + "/v1/event/stream?topic=Job")
            await asyncio.sleep(0.05)
            for i in range(3):
                s.call_soon(s.double._bump("Job", {"ID": f"job-{i}", "Namespace": "default"}))
            out = []
            for resp in (proxied, direct):
                buf = b""
                while buf.count(b'"Events"') < 3:
                    buf += await asyncio.wait_for(resp.content.readany(), 5)
                out.append(b"".join(line + b"\n" for line in buf.split(b"\n") if b"Events" in line))
                resp.close()
            return out[0], out[1]

    proxied, direct = asyncio.run(read_both())
    assert proxied == direct
    assert proxied.count(b"\n") == 3


@pytest.mark.parametrize("passthrough_stack", [{"log_data": os.urandom(300_000), "log_chunk": 7000}], indirect=True)
def test_log_stream_chunked_byte_exact(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    status, headers, body = s.http("GET", "/v1/client/fs/logs/0b1c?task=server&type=stdout&plain=true&follow=true")
    assert status == 200
    assert headers.get("Transfer-Encoding") == "chunked"
    assert body == s.double.log_data


@pytest.mark.parametrize("passthrough_stack", [{"log_data": b"hello\n" * 2000, "log_chunk": 512}], indirect=True)
def test_log_stream_arrives_incrementally(passthrough_stack: Stack) -> None:
    """The first chunk is readable before the stream ends (no buffering in the proxy)."""
    s = passthrough_stack

    async def first_chunk() -> bytes:
        async with aiohttp.ClientSession() as session, \
                session.get(s.url + "/v1/client/fs/logs/0b1c?task=server&type=stdout") as resp:
            return await resp.content.readany()

    chunk = asyncio.run(first_chunk())
    frame = json.loads(chunk.split(b"}")[0] + b"}")
    assert frame["Offset"] == 0
    assert base64.b64decode(frame["Data"]).startswith(b"hello\n")


def test_exec_websocket_byte_exact(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    payloads = [os.urandom(n) for n in (1, 100, 70_000)]

    async def session_run() -> tuple[list[bytes], bytes, dict]:
        async with aiohttp.ClientSession() as session:
            url = s.url + '/v1/client/allocation/0b1c/exec?task=server&tty=false&command=["/bin/sh"]'
            async with session.ws_connect(url, headers={"X-Nomad-Token": "x"}) as ws:
                echoed = []
                for data in payloads:
                    await ws.send_str(json.dumps({"stdin": {"data": base64.b64encode(data).decode()}}))
                    msg = json.loads((await ws.receive(timeout=5)).data)
                    echoed.append(base64.b64decode(msg["stdout"]["data"]))
                blob = os.urandom(5000)
                await ws.send_bytes(blob)
                back = (await ws.receive(timeout=5)).data
                assert back == blob
                await ws.send_str(json.dumps({"stdin": {"close": True}}))
                exited = json.loads((await ws.receive(timeout=5)).data)
                return echoed, back, exited

    echoed, _, exited = asyncio.run(session_run())
    assert echoed == payloads
    assert exited == {"exited": True, "result": {"exit_code": 0}}


def test_large_body_passes_untouched(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    blob = os.urandom(20 * 1024 * 1024)  # larger than max_body_bytes: the limit applies to job submissions only
    status, _, body = s.http("PUT", "/v1/var/big", raw=blob, headers={"Content-Type": "application/octet-stream"})
    assert status == 200
    assert s.double.variables["big"] == blob
    assert body == blob


def test_gzip_answers_stay_compressed(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    for i in range(40):
        s.http("PUT", "/v1/jobs", {"Job": make_job(f"job-{i:02d}")}, base=s.direct_url)
    status, headers, body = s.http("GET", "/v1/jobs", headers={"Accept-Encoding": "gzip"})
    d_status, d_headers, d_body = s.http("GET", "/v1/jobs", headers={"Accept-Encoding": "gzip"}, base=s.direct_url)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body)) == json.loads(gzip.decompress(d_body))


def test_gzip_request_body_passes(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    data = json.dumps({"Items": {"k": "v" * 5000}}).encode()
    status, _, _ = s.http("PUT", "/v1/var/z", raw=gzip.compress(data),
                          headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert status == 200
    assert s.double.variables["z"] == data  # the double (like any HTTP server) inflates it


def test_upstream_down_is_502_plain_text() -> None:
    from .conftest import Stack as _Stack

    s = _Stack(NomadDouble(), ProxySettings(listen="127.0.0.1:0", reload_interval=0), None).start()
    try:
        s.call(s._double_runner.cleanup())
        status, headers, body = s.http("GET", "/v1/jobs")
        assert status == 502
        assert headers["Content-Type"].startswith("text/plain")
        assert body.startswith(b"jobguard: Nomad API at http://127.0.0.1:")
        status, _, body = s.http("PUT", "/v1/job/web/scale", {"Count": 2, "Target": {"Group": "app"}})
        assert status == 502
        metrics = s.http("GET", "/v1/jobguard/metrics")[2].decode()
        assert "jobguard_upstream_errors_total 2" in metrics
    finally:
        s.stop()


def test_unclean_path_redirects_like_go_servemux(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    for path, location in (("/v1/job/x/../../jobs", "/v1/jobs"), ("/v1//jobs", "/v1/jobs"),
                           ("/v1/job/./web?namespace=a", "/v1/job/web?namespace=a")):
        conn = socket.create_connection(("127.0.0.1", s.port))
        conn.sendall(f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{{}}".encode())
        reply = conn.recv(4096).decode()
        conn.close()
        assert reply.startswith("HTTP/1.1 301"), reply
        assert f"Location: {location}\r\n" in reply
    assert not s.double.writes_to()


def test_health_and_metrics(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    s.http("GET", "/v1/status/leader")
    status, _, body = s.http("GET", "/v1/jobguard/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, headers, body = s.http("GET", "/v1/jobguard/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert 'jobguard_passthrough_requests_total{method="GET"}' in body.decode()
    assert s.http("DELETE", "/v1/jobguard/health")[0] == 405
    assert s.http("GET", "/v1/jobguard/other")[0] == 404


def test_slow_headers_are_cut_off(request: pytest.FixtureRequest) -> None:
    from .conftest import _stack

    s = _stack(request, None, header_timeout=0.3)
    conn = socket.create_connection(("127.0.0.1", s.port))
    conn.sendall(b"GET /v1/jobs HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
    conn.settimeout(5)
    started = time.monotonic()
    assert conn.recv(100) == b""
    assert time.monotonic() - started < 3
    conn.close()


def test_slow_body_is_408(request: pytest.FixtureRequest) -> None:
    from .conftest import _stack

    s = _stack(request, None, read_timeout=0.3)
    conn = socket.create_connection(("127.0.0.1", s.port))
    conn.sendall(b"PUT /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"Job\":")
    conn.settimeout(5)
    reply = conn.recv(4096)
    conn.close()
    assert reply.startswith(b"HTTP/1.1 408")
    assert not s.double.writes_to()


@pytest.mark.skipif(not shutil.which("curl"), reason="curl not installed")
def test_curl_large_upload_with_expect_continue(passthrough_stack: Stack, tmp_path) -> None:
    """curl sends ``Expect: 100-continue`` for big bodies; the proxy answers it and streams the body on."""
    s = passthrough_stack
    blob = os.urandom(3 * 1024 * 1024)
    (tmp_path / "blob").write_bytes(blob)
    out = subprocess.run(["curl", "-sS", "-X", "PUT", "--data-binary", f"@{tmp_path / 'blob'}",
                          "-H", "Content-Type: application/octet-stream", "-o", str(tmp_path / "out"),
                          "-w", "%{http_code}", s.url + "/v1/var/curl"], capture_output=True, text=True, timeout=30)
    assert out.stdout == "200", out.stderr
    assert s.double.variables["curl"] == blob
    assert (tmp_path / "out").read_bytes() == blob


def test_head_request(passthrough_stack: Stack) -> None:
    s = passthrough_stack
    s.http("PUT", "/v1/jobs", {"Job": make_job("api")}, base=s.direct_url)
    status, headers, body = s.http("HEAD", "/v1/job/api")
    d_status, d_headers, _ = s.http("HEAD", "/v1/job/api", base=s.direct_url)
    assert status == d_status == 405  # Nomad's jobCRUD has no HEAD: the proxy must not invent one
    assert body == b"" and headers["Content-Length"] == d_headers["Content-Length"]


def test_absolute_form_request_target_goes_to_the_upstream_only(passthrough_stack: Stack) -> None:
    """``GET http://elsewhere/... HTTP/1.1`` must not make the proxy talk to another host."""
    s = passthrough_stack
    conn = socket.create_connection(("127.0.0.1", s.port))
    conn.sendall(b"GET http://example.invalid:1/v1/status/leader?x=1 HTTP/1.1\r\nHost: example.invalid\r\n"
                 b"Connection: close\r\n\r\n")
    reply = conn.recv(4096)
    conn.close()
    assert reply.startswith(b"HTTP/1.1 200"), reply
    assert s.double.requests[-1].path == "/v1/status/leader" and s.double.requests[-1].query == {"x": "1"}


@pytest.mark.parametrize("passthrough_stack", [{"heartbeat_s": 0.05}], indirect=True)
def test_client_leaving_a_stream_closes_the_upstream_stream(passthrough_stack: Stack) -> None:
    s = passthrough_stack

    async def open_and_leave() -> None:
        async with aiohttp.ClientSession() as session, session.get(s.url + "/v1/event/stream") as resp:
            assert await asyncio.wait_for(resp.content.readline(), 5) == b"{}\n"

    asyncio.run(open_and_leave())
    deadline = time.monotonic() + 5
    while s.double._events and time.monotonic() < deadline:
        time.sleep(0.05)
    assert s.double._events == []
