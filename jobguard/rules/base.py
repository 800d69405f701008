"""The rule model: what a Python rule declares and how it reports.

A rule is a small class with metadata and a ``check`` generator. The engine (``jobguard.engine``) decides
enforcement, suppression and override; a rule only says *what* is wrong and *where* (an API path into the
canonical job). Paths are tuples of PascalCase API keys and list indices, the same keys as the source map, so every
violation lands on a file:line:col without the rule knowing anything about files.
"""

from __future__ import annotations

from typing import Any

# The model itself lives in the leaf module :mod:`jobguard.contract` (the engine needs it without importing the rule
# pack); these names stay importable from here, the documented plugin API (docs/plugins.md).
from jobguard.contract import Rule, RuleContext, Violation, help_uri_of, redact
from jobguard.jobspec.sourcemap import Path

__all__ = ["Path", "Rule", "RuleContext", "Violation", "allow_list_hint", "help_uri_of", "params_object", "redact",
           "regex_param", "string_list"]


def params_object(**properties: dict[str, Any]) -> dict[str, Any]:
    """A rule's ``params_schema``: an object of exactly these properties, so a typo in jobguard.hcl is an error."""
    return {"type": "object", "additionalProperties": False, "properties": properties}


def string_list(description: str, **item_constraints: Any) -> dict[str, Any]:
    """Schema of a list of strings (allow-lists, deny-lists); items are non-empty unless constrained otherwise."""
    return {"type": "array", "items": {"type": "string", **(item_constraints or {"minLength": 1})},
            "description": description}


def regex_param(description: str) -> dict[str, Any]:
    """Schema of a param that is a regular expression: Go/RE2 syntax, checked when the config loads (a pattern RE2
    rejects is an error at the value's file:line:col). Compile it in the rule with
    :func:`jobguard.goregex.compile_go` (cached, linear-time matching: a job cannot make it backtrack)."""
    return {"type": "string", "format": "regex", "description": description}


def allow_list_hint(entries: list[Any]) -> str:
    """Suffix for "not approved" messages when the allow-list is empty (the rule fails closed until configured)."""
    return "" if entries else " (no allow-list configured)"
