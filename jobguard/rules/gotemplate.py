"""Just enough understanding of Nomad templates (consul-template's Go templates) for the secret rules.

The rules need to know *where the data a template renders comes from*: Vault (``secret``, ``secrets``,
``pkiCert``), Nomad Variables (``nomadVar`` and friends), Consul KV (``key``, ``keyOrDefault``, ``tree``, ``ls``,
...) or nothing at all (a literal). A value inside ``{{ with secret "db" }} ... {{ end }}`` that only says
``{{ .Data.data.password }}`` reads Vault through its enclosing block, so the enclosing ``with``/``range`` blocks
are tracked too. This is a scanner, not a Go-template parser: it reads actions and their function names, which is
what decides the question, and never fails on a template it does not fully understand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jobguard.goregex import GoRegex, compile_go, quote_meta

VAULT = "vault"
NOMAD_VAR = "nomadvar"
CONSUL_KV = "consul-kv"
ENV = "env"

FUNC_SOURCES = {
    "secret": VAULT, "secrets": VAULT, "pkiCert": VAULT,
    "nomadVar": NOMAD_VAR, "nomadVarList": NOMAD_VAR, "nomadVarListSafe": NOMAD_VAR, "nomadVarExists": NOMAD_VAR,
    "key": CONSUL_KV, "keyOrDefault": CONSUL_KV, "keyExists": CONSUL_KV, "ls": CONSUL_KV, "safeLs": CONSUL_KV,
    "tree": CONSUL_KV, "safeTree": CONSUL_KV,
    "env": ENV,
}
# Sources that are acceptable for credentials.
SECRET_SOURCES = frozenset({VAULT, NOMAD_VAR})
_FUNC = re.compile(r"(?<![\w.$])(" + "|".join(sorted(FUNC_SOURCES, key=len, reverse=True)) + r")\b(?!\s*:?=)")
_OPENERS = ("with", "range", "if", "block", "define")
_DIR_VARS = (("${NOMAD_SECRETS_DIR}", "secrets"), ("${NOMAD_TASK_DIR}", "local"), ("${NOMAD_ALLOC_DIR}", "alloc"))
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$")


@dataclass
class LineInfo:
    """What one line of a template renders: the line with actions masked as ``{{}}``, the data sources its actions
    read (directly or through an enclosing ``with``/``range``), and whether it has any action at all."""

    masked: str
    sources: set[str] = field(default_factory=set)
    has_actions: bool = False


@dataclass
class TemplateInfo:
    sources: set[str]
    lines: list[LineInfo]

    @property
    def reads_secrets(self) -> bool:
        return bool(self.sources & SECRET_SOURCES)

    def env_vars(self) -> dict[str, tuple[int, LineInfo, str]]:
        """``NAME -> (line number, line, masked value)`` for ``NAME=value`` lines (an env-file template)."""
        out: dict[str, tuple[int, LineInfo, str]] = {}
        for lineno, line in enumerate(self.lines, 1):
            m = _ENV_LINE.match(line.masked)
            if m:
                out.setdefault(m.group(1), (lineno, line, m.group(2)))
        return out


def _delims(left: str, right: str) -> GoRegex:
    # a comment (``{{/* ... */}}``) may contain the right delimiter, so it is matched first. The delimiters come
    # from the job, and a lazy ``.*?`` after each of thousands of unclosed ``{{`` made Python's backtracking
    # engine quadratic: RE2 finds all actions in one linear pass
    return compile_go("(?s)" + quote_meta(left or "{{") + r"-?\s*(/\*.*?\*/|.*?)\s*-?" + quote_meta(right or "}}"))


@lru_cache(maxsize=512)
def analyze(text: str, left: str = "{{", right: str = "}}") -> TemplateInfo:
    """Scan a template: overall sources and per-line information."""
    lines = [LineInfo("")]
    stack: list[set[str]] = []
    sources: set[str] = set()
    pos = 0
    for m in _delims(left, right).finditer(text):
        _add_text(lines, text[pos:m.start()])
        body = m.group(1)
        if body.startswith("/*"):
            body = ""  # a comment renders nothing and reads nothing
        funcs = {FUNC_SOURCES[f] for f in _FUNC.findall(body)}
        sources |= funcs
        word = body.split(None, 1)[0] if body.strip() else ""
        inherited = set().union(*stack) if stack else set()
        line = lines[-1]
        line.has_actions = True
        line.masked += "{{}}"
        if word == "end":
            if stack:
                stack.pop()
        elif word == "else":
            if stack:
                stack[-1] = stack[-1] | funcs
        elif word in _OPENERS:
            stack.append(funcs | inherited if word != "define" else funcs)
        else:
            line.sources |= funcs | (inherited if _reads_data(body) else set())
        _add_text(lines, "\n" * m.group(0).count("\n"))
        pos = m.end()
    _add_text(lines, text[pos:])
    return TemplateInfo(sources, lines)


def _reads_data(body: str) -> bool:
    """Does an action render data from its context (``.Data.password``, ``$v``, ``.``)?"""
    return "." in body or "$" in body


def _add_text(lines: list[LineInfo], chunk: str) -> None:
    parts = chunk.split("\n")
    lines[-1].masked += parts[0]
    for part in parts[1:]:
        lines.append(LineInfo(part))


def template_info(tmpl: dict[str, Any]) -> TemplateInfo:
    """Analysis of a template block's inline data (``EmbeddedTmpl``); empty for ``source = ...`` templates."""
    text = tmpl.get("EmbeddedTmpl")
    if not isinstance(text, str):
        text = ""
    return analyze(text, str(tmpl.get("LeftDelim") or "{{"), str(tmpl.get("RightDelim") or "}}"))


def normalize_dest(path: str) -> str:
    """``${NOMAD_SECRETS_DIR}/db.txt``, ``/secrets/db.txt``, ``./secrets/db.txt`` -> ``secrets/db.txt``."""
    for var, name in _DIR_VARS:
        path = path.replace(var, name)
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")
