"""No ACL token in any log line: malformed requests against a real ``jobguard serve``, at every log level.

Each shape carries its own token; the proxy's complete stderr is searched for it afterwards. A malformed request
is the client's fault: one INFO line (client, method, path, reason) and never a traceback.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from jobguard.proxy.logsafe import fault_reason, safe_field, scrub
from jobguard.proxy.httpserver import _request_line

from .conftest import make_job, write_config
from .test_reload import free_port, http, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIG = 70_000  # over the 64 KiB header field limit


def _body(token: str, path: str, payload: dict) -> list[bytes]:
    data = json.dumps(payload).encode()
    return [f"PUT {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(data)}\r\n\r\n".encode()
            + data]


# name -> (token -> the request's parts, sent 50 ms apart)
SHAPES: dict[str, Callable[[str], list[bytes]]] = {
    "header block over the limit starting with the token": lambda t: [
        b"GET /v1/jobs HTTP/1.1\r\n" + t.encode() + b"A" * BIG + b"\r\n\r\n"],
    "token header value over the limit": lambda t: [
        b"GET /v1/jobs HTTP/1.1\r\nX-Nomad-Token: " + t.encode() + b"A" * BIG + b"\r\n\r\n"],
    "token followed by a control character": lambda t: [
        b"GET /v1/jobs HTTP/1.1\r\nHost: x\r\nX-Nomad-Token: " + t.encode() + b"\x01\r\n\r\n"],
    "bearer token followed by a control character": lambda t: [
        b"GET /v1/jobs HTTP/1.1\r\nAuthorization: Bearer " + t.encode() + b"\x7f\r\n\r\n"],
    "bad method": lambda t: [b"G(T /v1/jobs HTTP/1.1\r\nX-Nomad-Token: " + t.encode() + b"\r\n\r\n"],
    "token as the method": lambda t: [t.encode() + b" /v1/jobs HTTP/1.1\r\n\r\n"],
    "invalid URL": lambda t: [b"GET /v1/jobs\x01" + t.encode() + b" HTTP/1.1\r\nX-Nomad-Token: " + t.encode()
                              + b"\r\n\r\n"],
    "oversized request line": lambda t: [b"GET /v1/jobs?token=" + t.encode() + b"A" * 9000 + b" HTTP/1.1\r\n\r\n"],
    "bad header name characters": lambda t: [b"GET /v1/jobs HTTP/1.1\r\nX-No\x01mad-Token: " + t.encode()
                                             + b"\r\n\r\n"],
    "too many headers": lambda t: [b"GET /v1/jobs HTTP/1.1\r\n" + b"".join(
        f"X-H{i}: {t}\r\n".encode() for i in range(200)) + b"\r\n"],
    "bad HTTP version": lambda t: [b"GET /v1/jobs HTTP/9" + t.encode() + b"\r\n\r\n"],
    "not HTTP at all": lambda t: [b"\x16\x03\x01" + t.encode() + b"\r\n\r\n"],
    "chunked encoding error": lambda t: [
        b"PUT /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Nomad-Token: " + t.encode()
        + b"\r\n\r\nzz" + t.encode() + b"\r\n0\r\n\r\n"],
    "chunked error after the body started (job register)": lambda t: [
        b"PUT /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Nomad-Token: " + t.encode()
        + b"\r\n\r\n", b"5\r\n{\"Sec\r\nzz" + t.encode() + b"\r\n0\r\n\r\n"],
    "chunked error after the body started (pass-through)": lambda t: [
        b"PUT /v1/var/app HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Nomad-Token: " + t.encode()
        + b"\r\n\r\n", b"5\r\nabcde\r\nzz" + t.encode() + b"\r\n0\r\n\r\n"],
    "content-length and transfer-encoding together": lambda t: [
        b"PUT /v1/jobs HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nX-Nomad-Token: "
        + t.encode() + b"\r\n\r\n0\r\n\r\n"],
    "body shorter than its content-length, then gone": lambda t: [
        b"PUT /v1/jobs HTTP/1.1\r\nContent-Length: 500\r\nX-Nomad-Token: " + t.encode() + b"\r\n\r\n{\"Job\":"],
    "body with SecretID": lambda t: _body(t, "/v1/jobs", {"SecretID": t, "Job": make_job(count=9)}),
    "malformed JSON body with SecretID": lambda t: [
        b"PUT /v1/jobs HTTP/1.1\r\nContent-Length: 40\r\n\r\n" + (b'{"SecretID": "' + t.encode() + b'", ')[:40]],
    "SecretID body after content-length 0": lambda t: [
        b"PUT /v1/jobs HTTP/1.1\r\nContent-Length: 0\r\n\r\n" + json.dumps({"SecretID": t}).encode() + b"\r\n\r\n"],
    "dispatch with SecretID and a string Meta": lambda t: _body(t, "/v1/job/batchy/dispatch",
                                                                {"SecretID": t, "Meta": "x"}),
}


def send(port: int, parts: list[bytes]) -> bytes:
    """Send the parts (50 ms apart), then read what comes back until the proxy closes or 3 s pass."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
        try:
            for part in parts:
                conn.sendall(part)
                time.sleep(0.05)
            conn.settimeout(1.5)
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        except OSError:  # reset or timeout: the proxy's side is what is checked
            pass
    return data


@pytest.fixture(scope="module")
def upstream() -> str:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "proxy" / "nomad_double.py"), "--no-record"],
                            stdout=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{int(proc.stdout.readline())}"
    finally:
        proc.terminate()
        proc.wait(10)


LEVELS = ("debug", "info", "warning", "error")


@pytest.fixture(scope="module")
def servers(upstream: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.Popen, int]]:
    """One ``jobguard serve`` per log level, started together (their start-up overlaps)."""
    cfg = write_config(tmp_path_factory.mktemp("logsafe"))
    out = {}
    for level in LEVELS:
        port = free_port()
        out[level] = (subprocess.Popen(
            [sys.executable, "-m", "jobguard", "serve", "--upstream", upstream, "--listen", f"127.0.0.1:{port}",
             "--config", str(cfg), "--reload-interval", "0", "--log-level", level],
            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}), port)
    yield out
    for proc, _ in out.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("level", LEVELS)
def test_no_token_in_any_log_line(level: str, servers: dict[str, tuple[subprocess.Popen, int]]) -> None:
    proc, port = servers[level]
    tokens = {name: "tok" + secrets.token_hex(12) for name in SHAPES}
    answers = {}
    try:
        wait_for(lambda: http(f"http://127.0.0.1:{port}/v1/jobguard/health") == 200, timeout=30)
        for name, shape in SHAPES.items():
            answers[name] = send(port, shape(tokens[name]))
        assert http(f"http://127.0.0.1:{port}/v1/jobguard/health") == 200  # still serving
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    leaked = [name for name, token in tokens.items() if token in err]
    assert not leaked, f"tokens of {leaked} in the log:\n{err}"
    assert "Traceback" not in err
    assert " ERROR " not in err
    malformed = [line for line in err.splitlines() if "rejected malformed request" in line]
    if level in ("debug", "info"):
        assert all(" INFO jobguard.proxy.http: rejected malformed request from 127.0.0.1: " in line
                   for line in malformed), malformed
        assert len(malformed) >= 15, err
        assert "GET /v1/jobs: BadHttpMessage: Invalid header value char" in err
        assert "GET /v1/jobs: LineTooLong: Got more than 65536 bytes when reading" in err
        assert "PUT /v1/jobs: BadHttpMessage: Invalid character in chunk size" in err
    else:
        assert not malformed
    for name in ("token followed by a control character", "bad method", "oversized request line",
                 "chunked error after the body started (job register)"):
        assert answers[name].startswith(b"HTTP/1.1 400") or answers[name].startswith(b"HTTP/1.0 400"), name
        assert tokens[name].encode() not in answers[name]  # the 400 does not echo the client's bytes


# ---------------------------------------------------------------------------- units
def test_scrub_removes_bytes_literals_secret_values_and_uuids() -> None:
    text = ("Got more than 65536 bytes when reading: b'tokAAA\\'x' X-Nomad-Token: abc123 "
            '{"SecretID": "s3cret"} Authorization: Bearer xyz 0b5c4c1e-8f0e-4e8a-9d55-2f1b0c7a1234 \x01')
    out = scrub(text)
    for secret in ("tokAAA", "abc123", "s3cret", "xyz", "0b5c4c1e"):
        assert secret not in out
    assert "\x01" not in out and "\\x01" in out
    assert "0b5c4c1e" in scrub("job 0b5c4c1e-8f0e-4e8a-9d55-2f1b0c7a1234", uuids=False)


def test_fault_reason_quotes_nothing_of_the_request() -> None:
    from aiohttp.http_exceptions import BadHttpMessage, LineTooLong

    assert fault_reason(LineTooLong(b"tok" * 10, 8190)) == "LineTooLong: Got more than 8190 bytes when reading"
    assert fault_reason(BadHttpMessage("Invalid header value char:\n\n  b'X-Nomad-Token: tok\\x01'")) == \
        "BadHttpMessage: Invalid header value char"
    assert fault_reason(ConnectionResetError("tok")) == "client disconnected"
    assert safe_field("/v1/jobs?token=tok") == "/v1/jobs"
    assert _request_line(b"GET /v1/job/x?y HTTP/1.1\r\n") == ("GET", "/v1/job/x?y")
    assert _request_line(b"tok123 /v1/jobs HTTP/1.1\r\n") == ("-", "/v1/jobs")
    assert _request_line(b"GET /v1/jobs\x01tok HTTP/1.1\r\n") is None
