"""The connection to the Nomad agent behind the proxy, and the few reads admission needs from it.

One :class:`aiohttp.ClientSession` serves both pass-through and admission lookups. It never decompresses
(``auto_decompress=False``) and adds no headers of its own, so pass-through bytes and headers stay untouched; it
has no read timeout because blocking queries legitimately hang for up to ``wait`` (default 5 min) plus jitter.

Writes are timed instead (``write_timeout``): an upstream that stops taking a request body (its socket buffer
full, nobody reading) would otherwise hold the request, its client and its memory forever. Pass-through bodies
are watched chunk by chunk (:class:`WriteWatch`: each chunk must be taken within the timeout, so a large upload
that keeps moving is never cut), and job writes the proxy forwards itself must be sent and answered within it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from jobguard.proxy.settings import ProxySettings
from jobguard.proxy.tls import upstream_context

LOOKUP_TIMEOUT_S = 30.0

try:
    from asyncio import timeout as _deadline  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10: aiohttp depends on async-timeout there
    from async_timeout import timeout as _deadline


class WriteWatch:
    """A deadline that runs only while the upstream is taking a chunk of a streamed request body.

    ``async with watch:`` around the upstream request, and ``watch.body(chunks)`` as its data: aiohttp asks
    for the next chunk only after the previous one was written (drained), so the time between handing a chunk
    over and being asked for the next is the upstream's. Waiting for the *client's* next chunk is not timed
    here (the read timeout covers that). ``expired`` tells a write timeout from other timeouts.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._cm: Any = None

    async def __aenter__(self) -> WriteWatch:
        self._cm = _deadline(None)
        await self._cm.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._cm.__aexit__(*exc)

    @property
    def expired(self) -> bool:
        flag = getattr(self._cm, "expired", False)
        return bool(flag() if callable(flag) else flag)

    async def body(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        async for chunk in chunks:
            if self.seconds:
                self._arm(loop.time() + self.seconds)
            yield chunk
            self._arm(None)

    def _arm(self, when: float | None) -> None:
        try:
            if self._cm is not None:
                self._cm.reschedule(when)
        except RuntimeError:  # Nomad answered before taking the whole body: the request is over, nothing to time
            pass


class UpstreamError(Exception):
    """Nomad could not be reached or answered something unusable (the proxy answers 502).

    ``status`` is Nomad's own status when it answered (e.g. 403 for a token that may not read the job); the
    proxy then relays Nomad's answer instead of inventing one.
    """

    def __init__(self, message: str, status: int = 0, text: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.text = text


@dataclass
class Reply:
    status: int
    data: Any
    text: str


class Upstream:
    """Nomad's HTTP API at ``settings.upstream``."""

    def __init__(self, settings: ProxySettings) -> None:
        self.base = settings.upstream.rstrip("/")
        self.settings = settings
        self.session: aiohttp.ClientSession | None = None
        self._tokens: dict[str, tuple[float, Reply]] = {}
        #: extra arguments for every upstream request (TLS server name override)
        self.request_args: dict[str, Any] = (
            {"server_hostname": settings.upstream_server_name} if settings.upstream_server_name else {})
        self.write_timeout = settings.write_timeout
        #: arguments for a job write the proxy forwards itself: sent and answered within ``write_timeout``
        self.write_args: dict[str, Any] = {**self.request_args}
        if settings.write_timeout:
            self.write_args["timeout"] = aiohttp.ClientTimeout(total=None, sock_connect=settings.connect_timeout,
                                                               sock_read=settings.write_timeout)

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, ssl=upstream_context(self.settings) or False,
                                         enable_cleanup_closed=True)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.settings.connect_timeout, sock_read=None)
        self.session = aiohttp.ClientSession(
            connector=connector, timeout=timeout, auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type", "Accept"))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    def url(self, raw_path_and_query: str) -> URL:
        """Upstream URL for a raw (still percent-encoded) path and query, without re-encoding anything."""
        return URL(self.base + raw_path_and_query, encoded=True)

    async def call(self, method: str, path: str, params: dict[str, str] | None = None, token: str = "",
                   body: Any = None) -> Reply:
        """A JSON API call made by the proxy itself (job reads, token lookups, forwarded admitted writes)."""
        assert self.session is not None
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in (params or {}).items() if v)
        headers = {"X-Nomad-Token": token} if token else {}
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            async with self.session.request(method, self.url(path + (f"?{query}" if query else "")),
                                            headers=headers, data=data, **self.request_args,
                                            timeout=aiohttp.ClientTimeout(total=LOOKUP_TIMEOUT_S)) as resp:
                raw = await resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise UpstreamError(f"{type(exc).__name__}: {exc}") from None
        text = raw.decode("utf-8", errors="replace")
        try:
            data_out = json.loads(text) if text and resp.status < 300 else None
        except ValueError:
            data_out = None
        return Reply(resp.status, data_out, text)

    async def job(self, job_id: str, namespace: str, region: str, token: str) -> dict[str, Any] | None:
        """The current version of a job, or None when Nomad says it does not exist (404)."""
        reply = await self.call("GET", "/v1/job/" + quote(job_id, safe=""),
                                {"namespace": namespace, "region": region}, token)
        return _json_or_none(reply, "job")

    async def job_versions(self, job_id: str, namespace: str, region: str, token: str) -> list[dict[str, Any]]:
        reply = await self.call("GET", "/v1/job/" + quote(job_id, safe="") + "/versions",
                                {"namespace": namespace, "region": region}, token)
        data = _json_or_none(reply, "job versions")
        return list((data or {}).get("Versions") or [])

    async def token_self(self, token: str) -> dict[str, Any] | None:
        """``/v1/acl/token/self`` for the caller's token, cached briefly under a hash of it.

        Returns None when there is no token, ACLs are disabled or the token is unknown. The SecretID is removed
        before the answer leaves this method, so it can never reach a policy, a log or a metric label.
        """
        if not token:
            return None
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        cached = self._tokens.get(key)
        if cached and now - cached[0] < self.settings.token_cache_s:
            reply = cached[1]
        else:
            reply = await self.call("GET", "/v1/acl/token/self", token=token)
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            self._tokens[key] = (now, reply)
        if reply.status != 200 or not isinstance(reply.data, dict):
            return None
        return {k: v for k, v in reply.data.items() if k != "SecretID"}

    async def role_policies(self, role_ids: list[str], token: str) -> set[str]:
        """Policy names granted through ACL roles (a token may hold policies only via its roles)."""
        names: set[str] = set()
        replies = await asyncio.gather(*(self.call("GET", "/v1/acl/role/" + quote(r, safe=""), token=token)
                                         for r in role_ids), return_exceptions=True)
        for reply in replies:
            if isinstance(reply, Reply) and reply.status == 200 and isinstance(reply.data, dict):
                names.update(p.get("Name", "") for p in reply.data.get("Policies") or [] if isinstance(p, dict))
        return names


def _json_or_none(reply: Reply, what: str) -> Any:
    if reply.status == 404:
        return None
    if reply.status != 200 or reply.data is None:
        raise UpstreamError(f"reading {what} from Nomad failed: {reply.status} {reply.text.strip()[:200]}",
                            status=reply.status, text=reply.text)
    return reply.data
