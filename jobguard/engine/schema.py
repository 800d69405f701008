"""JSON Schema validation whose errors point into a file.

Used for ``jobguard.hcl`` itself and for each rule's ``params``: the data comes from HCL with a map of JSON path ->
(line, column), so a schema error becomes a diagnostic at the offending value instead of an abstract JSON path.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from jobguard.goregex import GoRegexError, compile_go
from jobguard.jobspec.errors import Diagnostic

Positions = Mapping[tuple[Any, ...], tuple[int, int]]


@cache
def config_schema() -> dict[str, Any]:
    """The JSON Schema of ``jobguard.hcl`` (shipped as ``config.schema.json`` next to this module)."""
    return json.loads((Path(__file__).with_name("config.schema.json")).read_text(encoding="utf-8"))


def nearest(positions: Positions, path: tuple[Any, ...]) -> tuple[int, int]:
    """Position of ``path`` or of its nearest ancestor with one; (0, 0) when nothing is known."""
    while True:
        if path in positions:
            return positions[path]
        if not path:
            return (0, 0)
        path = path[:-1]


def validate(schema: dict[str, Any], data: Any, filename: str, positions: Positions,
             base: tuple[Any, ...] = (), what: str = "", key_positions: Positions | None = None) -> list[Diagnostic]:
    """Every schema violation of ``data`` as a diagnostic at the offending value (sorted by position).

    ``base`` is the path of ``data`` inside the file's position map; ``what`` prefixes messages (e.g. the rule ID).
    ``key_positions`` (where each attribute's *name* is) locates "unsupported argument" errors on the name.
    """
    import jsonschema

    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema, format_checker=_format_checker(validator_cls))
    out = []
    for error in validator.iter_errors(data):
        path = base + tuple(error.absolute_path)
        summary, detail = _describe(error)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties") or {})
            extra = sorted(k for k in error.instance if k not in allowed)
            if extra:
                path = path + (extra[0],)
                summary = f"Unsupported argument {extra[0]!r}"
                known = sorted(allowed)
                detail = f"expected one of: {', '.join(known)}" if known else "no arguments are accepted here"
        if key_positions and path in key_positions and error.validator == "additionalProperties":
            line, column = key_positions[path]
        else:
            line, column = nearest(positions, path)
        where = _format_path(path[len(base):])
        if what:
            summary = f"{what}: {summary}"
        if where:
            detail = f"at {where}: {detail}" if detail else f"at {where}"
        out.append(Diagnostic(filename, line, column, summary, detail))
    return sorted(out, key=lambda d: (d.line, d.column, d.summary))


@cache
def _format_checker(validator_cls: Any) -> Any:
    """The validator's format checker, with ``"format": "regex"`` meaning a Go/RE2 pattern (the dialect every
    pattern in jobguard is compiled with, see :mod:`jobguard.goregex`) instead of Python's ``re`` syntax."""
    import jsonschema

    checker = jsonschema.FormatChecker(list(validator_cls.FORMAT_CHECKER.checkers))
    checker.checks("regex", raises=GoRegexError)(lambda value: not isinstance(value, str) or bool(compile_go(value)))
    return checker


def _describe(error: Any) -> tuple[str, str]:
    if error.validator == "enum":
        return "Invalid value", f"{error.instance!r} is not one of " + ", ".join(repr(v) for v in error.validator_value)
    if error.validator == "required":
        return "Missing required argument", error.message.replace("is a required property", "is required")
    if error.validator == "type":
        return "Incorrect type", error.message
    if error.validator == "pattern" and error.validator_value == "\\S":
        return "Invalid value", "must not be empty"
    if error.validator == "format" and error.validator_value == "regex":
        return "Invalid regular expression", str(error.cause or error.message)
    if error.validator == "format" and error.validator_value == "date":
        return "Invalid date", f"{error.instance!r} is not a calendar date (YYYY-MM-DD)"
    if error.validator == "minItems":
        return "Invalid value", f"at least {error.validator_value} item(s) required"
    return "Invalid value", error.message


def _format_path(path: tuple[Any, ...]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out
