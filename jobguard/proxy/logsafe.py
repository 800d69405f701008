"""Log hygiene for ``jobguard serve``: no client bytes, tokens or client-fault tracebacks in any log line.

Why this exists: aiohttp's server logs a malformed request at ERROR with a traceback whose exception message
quotes the raw request bytes (``Got more than 65536 bytes when reading: b'<token>AAAA...'``,
``b'X-Nomad-Token: <token>\\x01'``), and asyncio's exception handler prints the repr of whatever failed. Those
bytes are the client's, often with its ACL token in them. A malformed request is the client's fault, so it is
worth one INFO line (client, method, path, reason) and never a traceback. Everything else these third-party
loggers say is scrubbed: byte-string literals, token-looking header/JSON values and UUIDs (Nomad SecretIDs are
UUIDs) are replaced before a handler sees the record.

The filter is attached to the loggers themselves (so every handler, pytest's included, sees the clean record)
and to the handler ``jobguard serve`` installs (so records of any other logger are scrubbed as well).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import traceback

from aiohttp.http_exceptions import HttpProcessingError

log = logging.getLogger("jobguard.proxy.http")

#: Loggers of the libraries the proxy runs on; they may quote client input.
THIRD_PARTY = ("aiohttp.server", "aiohttp.access", "aiohttp.client", "aiohttp.web", "aiohttp.websocket",
               "aiohttp.internal", "asyncio")
#: jobguard's own loggers: never given a token, scrubbed anyway (defence in depth), UUIDs kept (job IDs).
OWN = ("jobguard", "jobguard.proxy", "jobguard.proxy.http", "jobguard.proxy.workers")

_BYTES = re.compile(r"""\bb(['"])(?:\\.|(?!\1)[^\\\n])*\1""")
_SECRET = re.compile(r"""(?i)\b(x-nomad-token|authorization|secret_?id|secret|token|password)\b(["']?\s*[:=]\s*["']?)"""
                     r"""(?:bearer\s+)?[^\s"',;}\]]+""")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_REASON_CUT = re.compile(r"""[:\n'"]""")
_REASON_KEEP = re.compile(r"[^A-Za-z0-9 ,.()/_+-]")
MAX_FIELD = 200


def scrub(text: str, uuids: bool = True) -> str:
    """``text`` without byte-string literals, token-looking values, control characters (and UUIDs)."""
    text = _BYTES.sub(lambda m: f"b'<{len(m.group(0)) - 3} chars redacted>'", text)
    text = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}<redacted>", text)
    if uuids:
        text = _UUID.sub("<uuid>", text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def client_fault(exc: BaseException | None) -> bool:
    """Is ``exc`` the client's doing (a malformed request, a connection it dropped), not a server bug?"""
    return isinstance(exc, (HttpProcessingError, ConnectionError, asyncio.IncompleteReadError))


def fault_reason(exc: BaseException | None) -> str:
    """A short description of a client fault that quotes nothing the client sent.

    aiohttp's messages start with a fixed phrase ("Invalid header value char", "Got more than 8190 bytes when
    reading") followed by the offending bytes after a colon or a quote; only the phrase is kept.
    """
    if exc is None:
        return "bad request"
    if isinstance(exc, ConnectionError | asyncio.IncompleteReadError):
        return "client disconnected"
    message = str(getattr(exc, "message", "") or "") if isinstance(exc, HttpProcessingError) else str(exc)
    phrase = _REASON_KEEP.sub("", _REASON_CUT.split(message, 1)[0]).strip()[:100]
    return f"{type(exc).__name__}: {phrase}" if phrase else type(exc).__name__


def safe_field(value: str) -> str:
    """A method or path for a log line: printable ASCII, no query string, bounded."""
    value = value.split("?", 1)[0]
    value = "".join(ch if 0x21 <= ord(ch) < 0x7f else "?" for ch in value)
    return value[:MAX_FIELD] + ("..." if len(value) > MAX_FIELD else "") or "-"


def log_client_fault(client: str | None, method: str, path: str, exc: BaseException | None) -> None:
    """The one line a malformed request is worth."""
    log.info("rejected malformed request from %s: %s %s: %s", client or "?", safe_field(method or "-"),
             safe_field(path or "-"), fault_reason(exc))


class SafeLogFilter(logging.Filter):
    """Rewrites records in place: client faults become one INFO line, everything else is scrubbed.

    Idempotent (a record seen by the logger's filter and again by the handler's is processed once).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_jobguard_safe", False):
            return True
        record._jobguard_safe = True
        third_party = not record.name.startswith("jobguard")
        exc = record.exc_info[1] if record.exc_info else None
        if third_party and client_fault(exc):
            if not log.isEnabledFor(logging.INFO):
                return False
            client = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = "rejected malformed request from %s: - -: %s", (
                scrub(str(client)), fault_reason(exc))
            record.exc_info = record.exc_text = record.stack_info = None
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = scrub(message, uuids=third_party), None
        if record.exc_info:
            text = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = scrub(text.rstrip("\n"), uuids=third_party)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text, uuids=third_party)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, uuids=third_party)
        return True


FILTER = SafeLogFilter()


def install() -> None:
    """Attach the filter to the aiohttp, asyncio and jobguard loggers (idempotent)."""
    for name in THIRD_PARTY + OWN:
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)


def configure(level: str) -> None:
    """``jobguard serve``'s logging: one stderr handler, scrubbed records, the level asked for.

    aiohttp's access log is off (the decision log is the audit trail); its other loggers follow ``level``.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(FILTER)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))
    install()
