"""A slow upstream write is timed out: Nomad must keep taking a request body and answer a job write in time.

The upstream here is a raw TCP server that answers reads like Nomad (a 404 for an unknown job) but, for
writes, reads the request head and then stops reading (or reads slowly), never answering.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace

import pytest

from jobguard.proxy.settings import ProxySettings

from .conftest import Stack, make_job
from .nomad_double import NomadDouble


class BlackHole:
    """Writes are swallowed: ``read_rate`` bytes/s of the body are read (0: none) and nothing is answered,
    unless the whole body arrives, then 200 ``{}``."""

    def __init__(self, read_rate: int = 0) -> None:
        self.read_rate = read_rate
        self.server: asyncio.AbstractServer | None = None
        self.tasks: set[asyncio.Task] = set()

    async def close(self) -> None:
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.tasks.add(asyncio.current_task())
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method = head.split(b" ", 1)[0]
            if method in (b"GET", b"HEAD"):
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\njob not found")
                await writer.drain()
                return
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), None)
            while self.read_rate and length:
                data = await reader.read(min(length, self.read_rate // 10))
                if not data:
                    return
                length -= len(data)
                await asyncio.sleep(0.1)
            if self.read_rate and length == 0:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
                return
            await asyncio.sleep(3600)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def _stack(request: pytest.FixtureRequest, hole: BlackHole, **settings) -> Stack:
    base = ProxySettings(listen="127.0.0.1:0", reload_interval=0, token_cache_s=0, workers=1, write_timeout=1.0)
    stack = Stack(NomadDouble(), replace(base, **settings), None)

    async def start_hole() -> int:
        hole.server = await asyncio.start_server(hole.handle, "127.0.0.1", 0)
        return hole.server.sockets[0].getsockname()[1]

    stack.start()
    port = stack.call(start_hole())
    stack.proxy.upstream.base = f"http://127.0.0.1:{port}"

    def stop() -> None:
        stack.call(hole.close())
        stack.stop()

    request.addfinalizer(stop)
    return stack


def test_a_body_nomad_stops_taking_is_cut_at_the_write_timeout(request: pytest.FixtureRequest) -> None:
    stack = _stack(request, BlackHole())
    t0 = time.monotonic()
    status, _, body = stack.http("PUT", "/v1/var/app", raw=b"x" * (48 << 20))
    took = time.monotonic() - t0
    assert status == 504 and b"did not accept the request body within 1s (write timeout)" in body
    assert took < 10, took


def test_a_slow_but_moving_upload_is_not_cut(request: pytest.FixtureRequest) -> None:
    stack = _stack(request, BlackHole(read_rate=2 << 20))
    t0 = time.monotonic()
    status, _, _ = stack.http("PUT", "/v1/var/app", raw=b"x" * (4 << 20))
    assert status == 200 and time.monotonic() - t0 > 1.0  # took longer than the write timeout, but kept moving


def test_a_job_write_nomad_never_answers_times_out(request: pytest.FixtureRequest, engine) -> None:
    stack = _stack(request, BlackHole())
    stack.state.engine = engine
    t0 = time.monotonic()
    status, _, body = stack.http("PUT", "/v1/jobs", {"Job": make_job()})
    assert status == 502 and b"Timeout" in body, body
    assert time.monotonic() - t0 < 6


def test_write_timeout_is_a_setting() -> None:
    settings = ProxySettings().merged({"write_timeout": 12.5}, {})
    assert settings.write_timeout == 12.5 and not settings.validate()
    assert ProxySettings(write_timeout=-1).validate()
    assert json.dumps(ProxySettings().write_timeout) == "30.0"
