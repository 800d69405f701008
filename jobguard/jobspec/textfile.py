"""Reading job and variable files as text, the way HCL does: UTF-8 or a located error.

Why not ``open(..., encoding="utf-8")``: Python's error names a byte offset in codec jargon, while Nomad (through
HCL) names the line and column of the first bad byte. Users fix files by line:col, and every front (``parse``,
``check``, stdin, the proxy) must report the same thing, so the decoding lives here once.
"""

from __future__ import annotations

import sys

from jobguard.jobspec.errors import Diagnostic, JobspecError

ENCODING_SUMMARY = "Invalid character encoding"
ENCODING_DETAIL = "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor."


def decode_source(data: bytes, label: str) -> str:
    """``data`` as text; invalid UTF-8 raises :class:`JobspecError` at the first bad byte's line:col."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = byte_position(data, exc.start)
        raise JobspecError([Diagnostic(label, line, column, ENCODING_SUMMARY, ENCODING_DETAIL)]) from None


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def read_source(path: str, label: str, limit: int | None = None) -> str:
    """The text of ``path`` ("-": standard input), named ``label`` in diagnostics.

    With ``limit``, at most that many bytes (plus one) are read: a file over it is :func:`too_large` without being
    read whole (a job file could be a huge file or ``/dev/zero`` behind a symlink).
    """
    size = -1 if limit is None else limit + 1
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read(size) if stream is not None else sys.stdin.read(size).encode("utf-8", "surrogateescape")
        else:
            with open(path, "rb") as fh:
                data = fh.read(size)
    except OSError as exc:
        raise JobspecError([Diagnostic(label, 0, 0, "Failed to read file",
                                       f'failed to read "{path}": {exc.strerror or exc}')]) from None
    if limit is not None and len(data) > limit:
        raise too_large(label, data, limit)
    return decode_source(data, label)


def too_large(label: str, data: bytes, limit: int) -> JobspecError:
    """The error for a job file over ``limit`` bytes, located at the first byte past it."""
    line, column = byte_position(data, limit)
    return JobspecError([Diagnostic(label, line, column, "File too large", f"jobguard reads job files of at most "
                                    f"{limit:,} bytes (see docs/loader.md#limits)")])
