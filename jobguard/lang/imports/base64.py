"""``import "base64"``: standard (RFC 4648 section 4) and URL-safe (section 5) Base64, padded, over UTF-8 text.

``encode``/``urlencode`` take a string, ``decode``/``urldecode`` Base64 text (padding required, as Go's decoders
require it); bad Base64, or bytes that are not UTF-8 text, are an error. ``undefined`` in gives ``undefined`` out.
"""

from __future__ import annotations

import base64 as _b64
import binascii
from collections.abc import Callable
from typing import Any

from jobguard.lang.imports._support import name_methods
from jobguard.lang.imports.module import ImportModule, require_string
from jobguard.lang.values import UNDEFINED

NAME = "base64"


def _decode(text: str, altchars: bytes | None) -> str:
    if altchars is not None and ("+" in text or "/" in text):
        raise ValueError("illegal base64 data: '+' and '/' are not in the URL-safe alphabet")
    try:
        raw = _b64.b64decode(text.encode("ascii"), altchars=altchars, validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError(f"illegal base64 data: {exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("decoded base64 data is not valid UTF-8") from None


def _on_text(s: Any, op: Callable[[str], str]) -> Any:
    """``op`` on a string argument; undefined passes through."""
    return UNDEFINED if s is UNDEFINED else op(require_string(s, "the argument"))


@name_methods("base64")
class Base64Import(ImportModule):
    def fn_encode(self, s: Any) -> Any:
        return _on_text(s, lambda t: _b64.b64encode(t.encode()).decode("ascii"))

    def fn_decode(self, s: Any) -> Any:
        return _on_text(s, lambda t: _decode(t, None))

    def fn_urlencode(self, s: Any) -> Any:
        return _on_text(s, lambda t: _b64.urlsafe_b64encode(t.encode()).decode("ascii"))

    def fn_urldecode(self, s: Any) -> Any:
        return _on_text(s, lambda t: _decode(t, b"-_"))


def create() -> Base64Import:
    return Base64Import()
