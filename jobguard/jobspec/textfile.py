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


def read_source(path: str, label: str) -> str:
    """The text of ``path`` ("-": standard input), named ``label`` in diagnostics."""
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)
            return decode_source(stream.read(), label) if stream is not None else sys.stdin.read()
        with open(path, "rb") as fh:
            return decode_source(fh.read(), label)
    except OSError as exc:
        raise JobspecError([Diagnostic(label, 0, 0, "Failed to read file",
                                       f'failed to read "{path}": {exc.strerror or exc}')]) from None
