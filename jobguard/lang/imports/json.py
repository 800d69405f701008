"""``import "json"``: unmarshal a JSON string into Sentinel values, marshal values to JSON, validate JSON text.

Sentinel drops ``undefined`` members of maps and lists when marshalling, returns undefined for a bare undefined,
and errors on functions.
"""

from __future__ import annotations

import json as _json
from typing import Any

from jobguard.lang.imports.module import ImportModule, require_string, type_name
from jobguard.lang.sandbox import size_limit, text_size
from jobguard.lang.values import UNDEFINED, SentinelObject

NAME = "json"

_DROP = object()


def _plain(value: Any) -> Any:
    if value is UNDEFINED:
        return _DROP
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            pv = _plain(v)
            if pv is not _DROP:
                out[str(k)] = pv
        return out
    if isinstance(value, list):
        return [pv for pv in (_plain(v) for v in value) if pv is not _DROP]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, SentinelObject) or callable(value):
        raise TypeError(f"json.marshal: a value of type {type_name(value)} cannot be encoded as JSON")
    raise TypeError(f"json.marshal: unsupported value {value!r}")


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**63 else value


class JSONImport(ImportModule):
    def fn_unmarshal(self, s: str) -> Any:
        text = require_string(s, "json.unmarshal: argument")
        try:
            return _json.loads(text, parse_float=_number, parse_int=int)
        except ValueError as exc:
            raise ValueError(f"json.unmarshal: invalid JSON: {exc}") from None

    def fn_marshal(self, value: Any) -> Any:
        if value is UNDEFINED:
            return UNDEFINED
        text_size(value, size_limit())  # a map holding one map twice, nested 40 times, is 2**40 leaves
        return _json.dumps(_plain(value), separators=(",", ":"), ensure_ascii=False)

    def fn_valid(self, s: str) -> bool:
        text = require_string(s, "json.valid: argument")
        try:
            _json.loads(text)
        except ValueError:
            return False
        return True


def create() -> JSONImport:
    return JSONImport()
