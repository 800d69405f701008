"""aiohttp's request handler with client faults handled as such: one INFO line, a plain 400, no raw bytes.

aiohttp answers a malformed request itself (before any jobguard code runs) and logs it at ERROR with a
traceback quoting the client's bytes. :class:`GuardedRequestHandler` takes over that one step: it remembers
the request line of what it is parsing, so the log line can name method and path, logs the fault through
:func:`jobguard.proxy.logsafe.log_client_fault`, and answers ``400 Bad Request: <reason>`` without echoing the
bytes. A parse error in the body of a request whose handler is already running (a broken chunked encoding) is
handed to that handler's body stream at once, instead of leaving it waiting for the read timeout.

Server bugs (any other exception) keep aiohttp's ERROR line with the traceback, scrubbed by
:class:`jobguard.proxy.logsafe.SafeLogFilter`.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from jobguard.proxy.logsafe import client_fault, fault_reason, log_client_fault

# A complete, well-formed request line only: a path from a line that is itself the fault (too long, invalid
# characters) is not repeated in the log.
_REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) (/[\x21-\x7e]{0,2048}) HTTP/\d\.\d\r?\n")
_HEAD_BYTES = 8192 + 64
# Methods named in a log line; anything else may be client data (a token sent where the method goes).
KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"))


class _NullLogger:
    """Swallows aiohttp's own error line while jobguard writes the real one."""

    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    exception = warning = error = info = debug


_NULL = _NullLogger()


class _WatchedParser:
    """Delegates to aiohttp's parser; on a parse error tells the handler what was being parsed."""

    __slots__ = ("_inner", "_handler")

    def __init__(self, inner: Any, handler: GuardedRequestHandler) -> None:
        self._inner = inner
        self._handler = handler

    def feed_data(self, data: bytes) -> Any:
        try:
            return self._inner.feed_data(data)
        except HttpProcessingError as exc:
            self._handler._parse_failed(exc, data)
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class GuardedRequestHandler(RequestHandler):
    __slots__ = ("_first_chunk", "_parse_fault", "_body_fault", "_fault_line", "_fault_logged")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._first_chunk: bytes | None = None
        self._parse_fault: BaseException | None = None
        self._body_fault: BaseException | None = None
        self._fault_logged = False
        self._fault_line: tuple[str, str] = ("-", "-")
        if self._parser is not None:
            self._parser = _WatchedParser(self._parser, self)

    def data_received(self, data: bytes) -> None:
        if self._first_chunk is None:
            self._first_chunk = bytes(data[:_HEAD_BYTES])
        super().data_received(data)

    def _parse_failed(self, exc: HttpProcessingError, data: bytes) -> None:
        if self._parse_fault is not None:  # aiohttp answers the first parse error; later ones are echoes
            return
        self._parse_fault = exc
        self._fault_line = _request_line(bytes(data[:_HEAD_BYTES])) or _request_line(self._first_chunk or b"") \
            or ("-", "-")
        current = self._current_request
        if current is not None:  # a handler is reading this body: fail its read now, without the raw bytes
            self._body_fault = BadHttpMessage(fault_reason(exc))
            current.content.set_exception(self._body_fault)
            current.content.feed_eof()  # nothing more will come: no lingering read of the rest

    def handle_error(self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if not client_fault(exc):
            return super().handle_error(request, status, exc, message)
        if exc is self._body_fault:  # the handler saw the parse error first: log it with the handler's request
            exc, self._fault_logged = self._parse_fault, True
            log_client_fault(request.remote, request.method, request.path, exc)
        elif exc is self._parse_fault:
            if not self._fault_logged:
                log_client_fault(request.remote, *self._fault_line, exc)
        else:
            log_client_fault(request.remote, request.method, request.path, exc)
        status = 400 if status >= 500 else status
        reason = fault_reason(exc)
        logger, self.logger = self.logger, _NULL
        try:
            return super().handle_error(request, status, None, f"Bad Request: {reason}")
        finally:
            self.logger = logger


def _request_line(data: bytes) -> tuple[str, str] | None:
    match = _REQUEST_LINE.match(data)
    if match is None:
        return None
    method = match.group(1).decode("ascii", "replace")
    return method if method in KNOWN_METHODS else "-", match.group(2).decode("ascii", "replace")


class GuardedServer(Server):
    """aiohttp's Server building :class:`GuardedRequestHandler` connections."""

    def __call__(self) -> RequestHandler:
        return GuardedRequestHandler(self, loop=self._loop, **self._kwargs)


def guard(runner: web.AppRunner) -> None:
    """Make a set-up runner's server use :class:`GuardedRequestHandler` (call after ``runner.setup()``)."""
    server = runner.server
    if server is not None and type(server) is Server:
        server.__class__ = GuardedServer
