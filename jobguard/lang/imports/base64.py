"""``import "base64"``: standard (RFC 4648 section 4) and URL-safe (section 5) Base64, padded, over UTF-8 text."""

from __future__ import annotations

import base64 as _b64
import binascii

from jobguard.lang.imports.module import ImportModule, require_string

NAME = "base64"


def _decode(text: str, altchars: bytes | None) -> str:
    try:
        raw = _b64.b64decode(text.encode("ascii"), altchars=altchars, validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError(f"illegal base64 data: {exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("decoded base64 data is not valid UTF-8") from None


class Base64Import(ImportModule):
    def fn_encode(self, s: str) -> str:
        return _b64.b64encode(require_string(s, "base64.encode: argument").encode()).decode("ascii")

    def fn_decode(self, s: str) -> str:
        return _decode(require_string(s, "base64.decode: argument"), None)

    def fn_urlencode(self, s: str) -> str:
        return _b64.urlsafe_b64encode(require_string(s, "base64.urlencode: argument").encode()).decode("ascii")

    def fn_urldecode(self, s: str) -> str:
        return _decode(require_string(s, "base64.urldecode: argument"), b"-_")


def create() -> Base64Import:
    return Base64Import()
