#!/usr/bin/env python3
"""Generate ``docs/rules.md`` from the metadata of jobguard's registered rules.

Why generated: the rule classes (``jobguard/rules/``, ``jobguard/engine/suppressions.py``) are the single source of
truth for IDs, levels, params and docs, and ``jobguard rules ID`` prints the same data. Writing the reference by
hand would drift; ``tests/test_rules_doc.py`` regenerates it in memory and fails when the file is out of date.

Only the rules that ship with jobguard are documented (installed third-party plugins are ignored), and the output
depends on nothing but their metadata, so it is byte-for-byte deterministic.

Usage::

    python scripts/gen_rules_doc.py            # write docs/rules.md
    python scripts/gen_rules_doc.py --check    # exit 1 if docs/rules.md is out of date
    python scripts/gen_rules_doc.py --stdout   # print instead of writing
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "rules.md"

# Categories in the order a platform team reads them; any category not listed follows, alphabetically.
CATEGORY_ORDER = ("secrets", "isolation", "supply-chain", "resources", "networking", "reliability", "scheduling",
                  "metadata", "storage", "observability", "suppressions")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,5})(\s)")


def builtin_rules() -> list[dict[str, Any]]:
    """``describe()`` of every rule shipped with jobguard (built-in pack + engine rules), entry points ignored."""
    from jobguard.plugins import create_plugin_manager, discover_rules

    registry = discover_rules(create_plugin_manager(entry_points=False, builtins=True))
    return [registered.rule.describe() for registered in registry.values()]


def _category_key(category: str) -> tuple[int, str]:
    return (CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER), category)


def _one_line(text: str) -> str:
    """Table cells must stay on one line and must not break the table on ``|``."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _demote_headings(markdown: str, levels: int = 3) -> str:
    """Rule docs are written as standalone Markdown; nest their headings (outside code fences) under ours."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            line = _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + levels) + m.group(2), line)
        out.append(line)
    return "\n".join(out)


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if "enum" in schema:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return f"list of {_type_of(items) if items else 'any'}"
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return f"map of {_type_of(extra)}"
        return "object"
    return str(kind or "any")


def _params_table(rule: dict[str, Any]) -> list[str]:
    properties = (rule.get("params_schema") or {}).get("properties") or {}
    if not properties:
        return ["**Params:** none."]
    defaults = rule.get("default_params") or {}
    required = set((rule.get("params_schema") or {}).get("required") or ())
    lines = ["**Params** (`rule \"" + rule["id"] + "\" { params = { ... } }` in `jobguard.hcl`):", "",
             "| Param | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for name in sorted(properties):
        schema = properties[name] or {}
        default = f"`{json.dumps(defaults[name], sort_keys=True)}`" if name in defaults else (
            "required" if name in required else "none")
        lines.append(f"| `{name}` | {_one_line(_type_of(schema))} | {_one_line(default)} | "
                     f"{_one_line(schema.get('description', ''))} |")
    return lines


def _rule_section(rule: dict[str, Any]) -> list[str]:
    lines = [f"### `{rule['id']}`", "", f"**{_one_line(rule['title'])}**", "",
             "| Severity | Default level | Category |", "| --- | --- | --- |",
             f"| {rule['severity']} | {rule['enforcement_level']} | {rule.get('category') or 'general'} |", ""]
    if rule.get("rationale"):
        lines += [f"**Why:** {rule['rationale'].strip()}", ""]
    if rule.get("remediation"):
        lines += [f"**Fix:** {rule['remediation'].strip()}", ""]
    lines += _params_table(rule) + [""]
    if rule.get("docs"):
        lines += [_demote_headings(rule["docs"].strip()), ""]
    if rule.get("help_uri"):
        lines += [f"More: <{rule['help_uri']}>", ""]
    return lines


def _anchor(rule_id: str) -> str:
    """GitHub's heading anchor for ``### `rule-id` `` (backticks dropped, lowercase, kebab-case kept)."""
    return rule_id.lower()


def render(rules: Iterable[dict[str, Any]] | None = None) -> str:
    """The complete Markdown text of docs/rules.md."""
    rules = sorted(builtin_rules() if rules is None else rules,
                   key=lambda r: (_category_key(r.get("category") or "general"), r["id"]))
    out = [
        "<!-- GENERATED by scripts/gen_rules_doc.py from the rules' metadata. Do not edit by hand: change the",
        "     rule class, then run `python scripts/gen_rules_doc.py` (tests/test_rules_doc.py fails when stale). -->",
        "",
        "# Rule reference",
        "",
        f"jobguard ships {len(rules)} rules. Which of them run, and how strictly, is chosen by the",
        "[rule profile](configuration.md#rule-profiles) (`rules = ...` in `jobguard.hcl`): under `recommended`, the",
        "default, every rule runs at the level of the *Recommended* column; under `all` at its *Default level*; under",
        "`none` only rules that have a `rule` block run. Tune them in [`jobguard.hcl`](configuration.md) (`enabled`,",
        "`enforcement_level`, `severity`, `params`, `non_waivable`) and waive single findings with",
        "[suppressions](configuration.md#suppressions). `jobguard rules` lists the rules installed here (plugins",
        "included) and `jobguard rules ID` shows one of them with the levels and params in effect for the nearest",
        "`jobguard.hcl`.",
        "",
        "| Rule | Severity | Default level | Recommended | Title |",
        "| --- | --- | --- | --- | --- |",
    ]
    from jobguard.engine.profiles import default_level

    for rule in sorted(rules, key=lambda r: r["id"]):
        recommended = default_level("recommended", rule["id"], rule["enforcement_level"], "builtin-rules")
        out.append(f"| [`{rule['id']}`](#{_anchor(rule['id'])}) | {rule['severity']} | "
                   f"{rule['enforcement_level']} | {recommended} | {_one_line(rule['title'])} |")
    out.append("")
    current = None
    for rule in rules:
        category = rule.get("category") or "general"
        if category != current:
            current = category
            out += [f"## {category.replace('-', ' ').capitalize()}", ""]
        out += _rule_section(rule)
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/rules.md from the registered rules' metadata.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if the file is out of date; write nothing")
    mode.add_argument("--stdout", action="store_true", help="print the document instead of writing it")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="file to write or check (default: docs/rules.md)")
    args = parser.parse_args(argv)
    text = render()
    if args.stdout:
        sys.stdout.write(text)
        return 0
    current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date; run: python scripts/gen_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
