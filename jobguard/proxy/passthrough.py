"""Everything that is not a job submission goes to Nomad untouched and unbuffered.

Bytes are copied as they arrive in both directions (``iter_any``), so blocking queries, the NDJSON event stream
and ``follow=true`` log streams behave exactly as against Nomad; compressed bodies stay compressed (the upstream
session never decompresses); only hop-by-hop headers (RFC 9110 section 7.6.1) are dropped, and
``X-Forwarded-For``/``-Proto`` are added. Websocket upgrades (``alloc exec``, job actions) are relayed frame by
frame, text as text and binary as binary.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import WSMsgType, web
from multidict import CIMultiDict

from jobguard.proxy.responses import nomad_error
from jobguard.proxy.upstream import Upstream, WriteWatch

log = logging.getLogger("jobguard.proxy")

HOP_BY_HOP = frozenset(h.lower() for h in (
    "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding",
    "Upgrade", "Host", "Proxy-Connection", "Expect"))
SMALL_BODY = 256 * 1024  # answers up to this size with a Content-Length are relayed in one write
WS_HANDSHAKE = frozenset(h.lower() for h in (
    "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept",
    "Sec-WebSocket-Protocol"))


def request_headers(request: web.BaseRequest, drop: frozenset[str] = frozenset()) -> CIMultiDict[str]:
    """The client's end-to-end headers (duplicates kept) plus X-Forwarded-For/-Proto."""
    connection_listed = {t.strip().lower() for t in request.headers.get("Connection", "").split(",")}
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in request.headers.items():
        low = name.lower()
        if low in HOP_BY_HOP or low in connection_listed or low in drop:
            continue
        out.add(name, value)
    peer = request.remote or ""
    prior = request.headers.get("X-Forwarded-For")
    if peer:
        out["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
    out.setdefault("X-Forwarded-Proto", request.scheme)
    return out


def response_headers(headers: CIMultiDict[str] | aiohttp.typedefs.LooseHeaders) -> CIMultiDict[str]:
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        if name.lower() not in HOP_BY_HOP:
            out.add(name, value)
    return out


def bad_gateway(upstream: Upstream, exc: BaseException) -> web.Response:
    """What a client sees when Nomad is unreachable: a plain-text 502, like Nomad's own errors."""
    log.warning("upstream %s unreachable: %s", upstream.base, exc)
    return nomad_error(502, f"jobguard: Nomad API at {upstream.base} is unreachable: {type(exc).__name__}: {exc}")


async def _timed(stream: aiohttp.StreamReader, read_timeout: float) -> AsyncIterator[bytes]:
    """The request body as it arrives; a client silent for ``read_timeout`` seconds is cut off."""
    while True:
        chunk = await asyncio.wait_for(stream.readany(), read_timeout)
        if not chunk:
            return
        yield chunk


async def forward(request: web.Request, upstream: Upstream, read_timeout: float) -> web.StreamResponse:
    """Relay one request and stream the answer back."""
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await relay_websocket(request, upstream)
    assert upstream.session is not None
    watch = WriteWatch(upstream.write_timeout)  # Nomad must keep taking the body (upstream.py)
    data = watch.body(_timed(request.content, read_timeout)) if request.body_exists else None
    try:
        async with watch:
            up = await upstream.session.request(request.method, upstream.url(request.rel_url.raw_path_qs),
                                                headers=request_headers(request), data=data, allow_redirects=False,
                                                **upstream.request_args)
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        if watch.expired:
            log.warning("upstream %s took no request body for %gs (write timeout): %s %s", upstream.base,
                        upstream.write_timeout, request.method, request.path)
            return nomad_error(504, f"jobguard: Nomad did not accept the request body within "
                                    f"{upstream.write_timeout:g}s (write timeout)")
        if request.content.exception() is not None:  # the client's body broke (e.g. bad chunking), not Nomad
            return nomad_error(400, "jobguard: malformed request body")
        if isinstance(exc, asyncio.TimeoutError):
            return nomad_error(408, "jobguard: timed out reading the request body")
        return bad_gateway(upstream, exc)
    try:
        length = up.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) <= SMALL_BODY and request.method != "HEAD":
            # A complete small answer (most API calls, and every blocking query once it fires): one write of
            # headers + body instead of several, with the same bytes.
            try:
                body = await up.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                return bad_gateway(upstream, exc)
            headers = response_headers(up.headers)
            headers.popall("Content-Length", None)
            return web.Response(status=up.status, reason=up.reason, body=body, headers=headers)
        resp = web.StreamResponse(status=up.status, reason=up.reason, headers=response_headers(up.headers))
        if length is None and request.method != "HEAD" and up.status not in (204, 304):
            resp.enable_chunked_encoding()
        await resp.prepare(request)
        try:
            async for chunk in up.content.iter_any():
                await resp.write(chunk)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            # Nomad broke the stream: cut the client's connection too, so it sees a truncated answer rather
            # than a complete-looking one.
            log.warning("upstream stream %s %s broke: %s", request.method, request.path, exc)
            if request.transport is not None:
                request.transport.close()
            return resp
        await resp.write_eof()
        return resp
    except ConnectionError as exc:  # the client went away
        log.debug("client left during %s %s: %s", request.method, request.path, exc)
        raise
    finally:
        up.release()


async def relay_websocket(request: web.Request, upstream: Upstream) -> web.StreamResponse:
    """Open the same websocket upstream first (so a refusal keeps its status), then pump frames both ways."""
    assert upstream.session is not None
    protocols = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",") if p.strip()]
    try:
        up_ws = await upstream.session.ws_connect(
            upstream.url(request.rel_url.raw_path_qs), method=request.method, protocols=protocols,
            headers=request_headers(request, drop=WS_HANDSHAKE), max_msg_size=0, autoping=True,
            **upstream.request_args)
    except aiohttp.WSServerHandshakeError as exc:
        return nomad_error(exc.status or 502, exc.message or "websocket handshake refused by Nomad")
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        return bad_gateway(upstream, exc)
    ws = web.WebSocketResponse(protocols=[up_ws.protocol] if up_ws.protocol else (), max_msg_size=0)
    await ws.prepare(request)

    async def pump(src, dst) -> None:
        async for msg in src:
            if msg.type == WSMsgType.TEXT:
                await dst.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await dst.send_bytes(msg.data)
            else:
                break
        if not dst.closed:
            await dst.close(code=src.close_code or 1000)

    tasks = [asyncio.ensure_future(pump(ws, up_ws)), asyncio.ensure_future(pump(up_ws, ws))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.wait(tasks, timeout=5)
    finally:
        for task in tasks:
            task.cancel()
        await up_ws.close()
    return ws
