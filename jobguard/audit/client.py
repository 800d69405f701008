"""The Nomad API reads an audit makes, and what can go wrong with them, in words a user can act on.

Reads (developer.hashicorp.com/nomad/api-docs): ``GET /v1/jobs`` (list stubs; ``namespace=*`` lists every
namespace the token may list, paginated with ``per_page``/``X-Nomad-NextToken``), ``GET /v1/job/:id`` (the full job),
``GET /v1/namespaces``, ``GET /v1/regions`` and ``GET /v1/event/stream`` (NDJSON: one object per line, ``{}`` as a
heartbeat). Every answer's ``X-Nomad-Index`` is kept: the watcher resumes the event stream from it.

Failures become :class:`AuditError` subclasses whose text never contains the token or basic-auth credentials:
transient ones (connection refused or reset, timeouts, 429 and 5xx answers) are retried with exponential back-off
and jitter first; a 403 is :class:`PermissionDenied` (naming the capability the token lacks), a body that is not
JSON is :class:`BadResponse`, and a stream that ends or breaks is :class:`StreamDropped`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from jobguard import __version__
from jobguard.audit.settings import AuditSettings, SettingsError

PAGE_SIZE = 500
MAX_EVENT_LINE = 64 << 20  # one event-stream message (a job payload); larger is treated as a broken stream
BACKOFF_BASE_S = 0.25
BACKOFF_CAP_S = 10.0
STREAM_IDLE_S = 35.0  # Nomad sends a heartbeat every 10 s; three missed ones mean the stream is gone


class AuditError(Exception):
    """Something an audit cannot get past: printed as is (it never contains a secret), exit 2."""


class Unreachable(AuditError):
    """No answer from Nomad after the retries (connection refused, DNS, TLS, timeouts)."""


class ApiError(AuditError):
    """Nomad answered with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class PermissionDenied(ApiError):
    """403: the token lacks the capability the request needs."""


class NotFound(ApiError):
    """404: no such job (or endpoint)."""


class BadResponse(AuditError):
    """Nomad (or something in front of it) answered something that is not the JSON the API documents."""


class StreamDropped(AuditError):
    """The event stream ended, broke mid-message, sent garbage or went silent; the watcher reconnects."""


@dataclass
class Reply:
    data: Any
    index: int = 0
    next_token: str = ""


def backoff(attempt: int) -> float:
    """Full-jitter exponential back-off: a random wait up to ``base * 2**attempt`` (capped)."""
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** attempt))) + 0.05


def ssl_context(settings: AuditSettings) -> ssl.SSLContext | bool:
    """The TLS context for an https address, configured like the nomad CLI's ``NOMAD_*`` TLS variables."""
    if not settings.address.startswith("https://"):
        return False
    tls = settings.tls
    try:
        ctx = ssl.create_default_context(cafile=tls.ca_cert or None, capath=tls.ca_path or None)
        if tls.client_cert:
            ctx.load_cert_chain(tls.client_cert, tls.client_key)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        files = ", ".join(f for f in (tls.ca_cert, tls.ca_path, tls.client_cert, tls.client_key) if f)
        raise SettingsError(f"cannot load the TLS files ({files}): {exc}") from None
    if tls.skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


class NomadClient:
    """An aiohttp session to one Nomad API. Use ``async with NomadClient(settings) as client``."""

    def __init__(self, settings: AuditSettings, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 stream_idle_s: float = STREAM_IDLE_S) -> None:
        self.settings = settings
        self.sleep = sleep
        self.stream_idle_s = stream_idle_s
        self.session: aiohttp.ClientSession | None = None
        self.last_index = 0
        self._extra: dict[str, Any] = {}
        if settings.tls.server_name and settings.address.startswith("https://"):
            self._extra["server_hostname"] = settings.tls.server_name
        self._headers = {"User-Agent": f"jobguard/{__version__}", "Accept": "application/json"}
        if settings.token:
            self._headers["X-Nomad-Token"] = settings.token
        if settings.http_auth:
            pair = f"{settings.http_auth[0]}:{settings.http_auth[1]}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")

    async def __aenter__(self) -> NomadClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        connector = aiohttp.TCPConnector(ssl=ssl_context(self.settings), limit=max(8, self.settings.concurrency * 2))
        self.session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                             headers=self._headers)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    # ------------------------------------------------------------------ requests
    def url(self, path: str, params: dict[str, str]) -> URL:
        query = {k: v for k, v in params.items() if v != ""}
        if self.settings.region and path != "/v1/regions":  # the region list is the local agent's
            query.setdefault("region", self.settings.region)
        return URL(self.settings.address + path, encoded=True).with_query(query)

    def _where(self, path: str, params: dict[str, str]) -> str:
        namespace = params.get("namespace")
        return f"GET {path}" + (f" (namespace {namespace!r})" if namespace else "")

    async def get(self, path: str, params: dict[str, str] | None = None) -> Reply:
        """GET a JSON document, retrying transient failures."""
        assert self.session is not None, "use `async with NomadClient(...)`"
        params = params or {}
        where = self._where(path, params)
        problem = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                await self.sleep(backoff(attempt - 1))
            try:
                async with self.session.get(self.url(path, params), allow_redirects=False, **self._extra,
                                            timeout=aiohttp.ClientTimeout(total=self.settings.timeout_s)) as resp:
                    body = await resp.read()
                    status, headers = resp.status, resp.headers
            except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
                raise Unreachable(self._scrub(f"TLS handshake with Nomad at {self.settings.address} failed: "
                                              f"{exc}")) from None
            except asyncio.TimeoutError:
                problem = f"no answer within {self.settings.timeout_s:g} s"
                continue
            except (aiohttp.ClientError, OSError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                continue
            if status == 500 and b"No path to region" in body:  # permanent: the region does not exist
                raise ApiError(f"Nomad at {self.settings.address} has no path to region "
                               f"{self.settings.region!r} ({where})", status)
            if status == 429 or status >= 500:
                problem = f"HTTP {status}: {_excerpt(body)}"
                continue
            return self._reply(status, headers, body, where, params)
        hint = ""
        if self.settings.address.startswith("https://") and not self.settings.tls.client_cert \
                and "Disconnected" in problem:  # TLS 1.3 servers drop a client without a certificate after the hello
            hint = ("; if Nomad requires client certificates (verify_https_client), set NOMAD_CLIENT_CERT and "
                    "NOMAD_CLIENT_KEY")
        raise Unreachable(self._scrub(f"Nomad at {self.settings.address} did not answer {where} "
                                      f"({self.settings.retries + 1} attempt(s)): {problem}{hint}"))

    def _reply(self, status: int, headers: Any, body: bytes, where: str, params: dict[str, str]) -> Reply:
        if status == 403:
            raise PermissionDenied(self._scrub(f"permission denied: {where}: {_excerpt(body)} "
                                               f"({_needs(where, params)})"), status)
        if status == 404:
            raise NotFound(self._scrub(f"not found: {where}: {_excerpt(body)}"), status)
        if status != 200:
            raise ApiError(self._scrub(f"Nomad refused {where}: HTTP {status}: {_excerpt(body)}"), status)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadResponse(self._scrub(f"Nomad answered {where} with something that is not JSON ({exc}): "
                                          f"{_excerpt(body)}")) from None
        index = _int(headers.get("X-Nomad-Index"))
        if index:
            self.last_index = max(self.last_index, index)
        return Reply(data, index, headers.get("X-Nomad-NextToken", ""))

    def _scrub(self, text: str) -> str:
        return self.settings.scrub(text)

    # ------------------------------------------------------------------ the reads
    async def list_jobs(self, namespace: str) -> tuple[list[dict[str, Any]], int]:
        """Every job stub in ``namespace`` (``*``: all the token may list), following pagination."""
        stubs: list[dict[str, Any]] = []
        index, token = 0, ""
        while True:
            reply = await self.get("/v1/jobs", {"namespace": namespace, "per_page": str(PAGE_SIZE),
                                                "next_token": token})
            if not isinstance(reply.data, list) or not all(isinstance(s, dict) for s in reply.data):
                what = "items that are not job stubs" if isinstance(reply.data, list) else type(reply.data).__name__
                raise BadResponse(f"Nomad answered GET /v1/jobs with {what}, not a list of job stubs")
            stubs += reply.data
            index = max(index, reply.index)
            token = reply.next_token
            if not token:
                return stubs, index

    async def read_job(self, job_id: str, namespace: str) -> dict[str, Any] | None:
        """The job as Nomad stores it, or None if it no longer exists (purged since it was listed)."""
        try:
            reply = await self.get("/v1/job/" + quote(job_id, safe=""), {"namespace": namespace})
        except NotFound:
            return None
        if not isinstance(reply.data, dict):
            raise BadResponse(f"Nomad answered GET /v1/job/{job_id} with {type(reply.data).__name__}, not a job")
        return reply.data

    async def namespaces(self) -> list[str]:
        reply = await self.get("/v1/namespaces")
        return sorted(str(n.get("Name")) for n in reply.data or [] if isinstance(n, dict) and n.get("Name"))

    async def regions(self) -> list[str]:
        reply = await self.get("/v1/regions")
        return sorted(str(r) for r in reply.data or [] if isinstance(r, str))

    # ------------------------------------------------------------------ the event stream
    async def stream(self, index: int, namespace: str, topics: tuple[str, ...] = ("Job",),
                     connected: Callable[[], None] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Messages of ``/v1/event/stream`` from ``index`` on: ``{}`` for a heartbeat, else ``{"Index", "Events"}``.
        ``connected()`` is called once Nomad has accepted the subscription (before the first message).

        Ends only by raising: :class:`StreamDropped` when the connection ends or breaks (a partial last line is
        discarded), :class:`PermissionDenied` for a 403, :class:`Unreachable` when it cannot connect.
        """
        assert self.session is not None, "use `async with NomadClient(...)`"
        params = {"index": str(index), "namespace": namespace}
        url = self.url("/v1/event/stream", params).update_query([("topic", t) for t in topics])
        where = self._where("/v1/event/stream", params)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.settings.timeout_s,
                                        sock_read=self.stream_idle_s)
        try:
            async with self.session.get(url, timeout=timeout, allow_redirects=False, **self._extra) as resp:
                if resp.status != 200:
                    body = await resp.content.read(4096)
                    if resp.status == 429 or resp.status >= 500:
                        raise StreamDropped(self._scrub(f"{where}: HTTP {resp.status}: {_excerpt(body)}"))
                    self._reply(resp.status, resp.headers, body, where, params)
                if connected is not None:
                    connected()
                async for message in _ndjson(resp.content):
                    yield message
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            raise Unreachable(self._scrub(f"TLS handshake with Nomad at {self.settings.address} failed: "
                                          f"{exc}")) from None
        except asyncio.TimeoutError:
            raise StreamDropped(f"{where}: nothing received for {self.stream_idle_s:g} s") from None
        except aiohttp.ClientPayloadError as exc:  # chunked body cut off: any partial message is discarded
            raise StreamDropped(self._scrub(f"{where}: the connection dropped in the middle of the stream ({exc})"))\
                from None
        except (aiohttp.ClientError, OSError) as exc:
            raise StreamDropped(self._scrub(f"{where}: {type(exc).__name__}: {exc}")) from None
        raise StreamDropped(f"{where}: Nomad closed the stream")


async def _ndjson(content: aiohttp.StreamReader) -> AsyncIterator[dict[str, Any]]:
    """Objects of an NDJSON body, one per line; a broken line ends the stream (the caller reconnects)."""
    buffer = b""
    async for chunk in content.iter_any():
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield _message(line)
        if len(buffer) > MAX_EVENT_LINE:
            raise StreamDropped(f"event stream message longer than {MAX_EVENT_LINE} bytes")
    if buffer.strip():
        raise StreamDropped(f"the event stream ended in the middle of a message ({len(buffer)} bytes discarded)")


def _message(line: bytes) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StreamDropped(f"the event stream sent a line that is not JSON ({exc}): {_excerpt(line)}") from None
    if not isinstance(data, dict):
        raise StreamDropped(f"the event stream sent {type(data).__name__}, not an object")
    return data


def _needs(where: str, params: dict[str, str]) -> str:
    """Which ACL capability the failed request needs (Nomad's 403 text is only "Permission denied")."""
    namespace = params.get("namespace", "default")
    if "/v1/event/stream" in where:
        if namespace == "*":
            return 'streaming every namespace needs a management token or a policy on namespace "*"'
        return f"the token needs namespace:read-job in {namespace!r}"
    if where.startswith("GET /v1/jobs"):
        return ("the token needs namespace:list-jobs" + (" in at least one namespace" if namespace == "*"
                                                           else f" in {namespace!r}"))
    if where.startswith("GET /v1/job/"):
        return f"the token needs namespace:read-job in {namespace!r}"
    return "check the token's ACL policies"


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", errors="replace").strip().replace("\n", " ")
    return (text[:limit] + "...") if len(text) > limit else (text or "(empty body)")


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
