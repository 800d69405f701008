"""From a finding back to the job: the value its path names, a stable form of that path, and the source lines a
report may show, with secrets masked.

Why masking happens here and not in the text reporter: only this stage has the loaded job, so only it knows the
offending value. Reporters receive lines that are already safe to print.
"""

from __future__ import annotations

import re
from typing import Any

from jobguard.engine.findings import Finding
from jobguard.jobspec.sourcemap import Path
from jobguard.secretscan import CREDENTIAL_NAME

MASK = "****"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'")
_ASSIGN = re.compile(r"^(\s*[^=:]*?[=:])(\s*)(.+?)(\s*,?\s*)$")


def value_at(doc: Any, path: Path) -> Any:
    """The value at ``path`` in an API job (None when the path leads nowhere)."""
    node = doc
    for key in path:
        if isinstance(node, dict) and isinstance(key, str):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def stable_path(doc: Any, path: Path) -> str:
    """The path with list indices replaced by the element's ``Name``/``Label`` where it has one."""
    node = doc
    parts: list[str] = []
    for key in path:
        if isinstance(key, int):
            element = node[key] if isinstance(node, list) and 0 <= key < len(node) else None
            name = ""
            if isinstance(element, dict):
                name = str(element.get("Name") or element.get("Label") or "")
            parts.append(f"[{name}]" if name else f"[{key}]")
            node = element
        else:
            parts.append(("." if parts else "") + key)
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)




def is_secret_finding(finding: Finding) -> bool:
    """Does this finding flag a secret value (so the line it points at must be masked)?

    A rule says so by declaring ``redact_value = True`` (the engine copies it onto its findings); a redacted message
    contains the mask; and a finding of the "secrets" category on a credential-named key (``Env.DB_PASSWORD``)
    counts too. Other findings in that category (say, a template's destination) point at values that are not
    secret themselves.
    """
    if finding.redact_value or MASK in finding.message:
        return True
    if (finding.extra or {}).get("category") != "secrets":
        return False
    key = next((k for k in reversed(finding.path) if isinstance(k, str)), "")  # Env.DB_PASSWORD, TOKENS[0]
    return bool(CREDENTIAL_NAME.search(key))


def mask_line(line: str, secrets: list[str]) -> str:
    """A source line safe to print: known secret values replaced, string literals emptied, and the right-hand side
    of an assignment masked (a secret can also be an unquoted heredoc line or part of an interpolation)."""
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        line = line.replace(secret, MASK)
    line = _STRING.sub(lambda m: m.group(0)[0] + MASK + m.group(0)[0], line)
    m = _ASSIGN.match(line.rstrip("\n"))
    if m and MASK not in m.group(3):
        line = m.group(1) + (m.group(2) or " ") + MASK + m.group(4)
    return line


def secret_strings(value: Any) -> list[str]:
    """Every string inside a value (the value a secret finding points at may be a map, e.g. a whole ``env``)."""
    if isinstance(value, str):
        return [value] + [part for part in value.splitlines() if part.strip()]
    if isinstance(value, dict):
        return [s for v in value.values() for s in secret_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in secret_strings(v)]
    return []
