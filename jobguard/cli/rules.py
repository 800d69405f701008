"""``jobguard rules [ID] [--format text|json] [--config FILE]``: what the installed rules check and how to tune them.

Without an ID it lists every installed rule (built-in and from plugins); with an ID it shows that rule's docs,
params schema and defaults. Levels and params shown are the effective ones when a ``jobguard.hcl`` is found (or
given), so the listing answers "what will ``jobguard check`` do here?". Exit codes: 0 ok, 2 unknown rule ID or a
broken config/plugin.
"""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Any

import click

from jobguard.cli import exit_with_diagnostics
from jobguard.suggest import close_matches


@click.command("rules")
@click.argument("rule_id", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="jobguard.hcl to show effective levels and params from (default: the nearest one upwards).")
def rules(rule_id: str | None, fmt: str, config_path: str | None) -> None:
    """List rules, or show one rule's documentation, params and defaults."""
    # deferred (fast `rules --help`): the engine loads when the command runs
    from jobguard.engine.errors import ConfigError

    try:
        entries = _effective_rules(config_path)
    except ConfigError as exc:
        exit_with_diagnostics(exc.diagnostics, prefix="jobguard: ")
    if rule_id is None:
        click.echo(json.dumps(entries, indent=2, default=str) if fmt == "json" else _table(entries))
        return
    entry = next((e for e in entries if e["id"] == rule_id), None)
    if entry is None:
        hint = close_matches(rule_id, [e["id"] for e in entries], n=3)
        click.echo(f"jobguard: unknown rule {rule_id!r}" + (f"; did you mean {' or '.join(hint)}?" if hint else "")
                   + " (run `jobguard rules` to list them)", err=True)
        sys.exit(2)
    click.echo(json.dumps(entry, indent=2, default=str) if fmt == "json" else _details(entry))


def _effective_rules(config_path: str | None) -> list[dict[str, Any]]:
    """Every installed rule's metadata plus its effective configuration (enabled, level, severity, params)."""
    # deferred (fast `rules --help`): the engine and plugins load when the command runs
    from jobguard import plugins
    from jobguard.contract import help_uri_of
    from jobguard.engine.config import find_config, load_config
    from jobguard.engine.engine import effective_rules

    config = load_config(config_path if config_path is not None else find_config("."))
    out = []
    # the engine's own merge of profile, rule block and defaults (no Engine.load: a broken policy must not hide
    # the rule list)
    for active in effective_rules(config, plugins.discover_rules()):
        info = active.rule.describe()
        info["help_uri"] = help_uri_of(active.rule)
        info["plugin"] = active.plugin
        info["distribution"] = active.dist
        info["default_enforcement_level"] = info["enforcement_level"]
        info["profile"] = config.profile
        info["configured"] = active.configured
        info["enforcement_level"] = active.enforcement_level
        info["enabled"] = active.enabled
        info["severity"] = active.severity
        info["params"] = active.params
        info["non_waivable"] = active.non_waivable
        out.append(info)
    return sorted(out, key=lambda e: e["id"])


def _table(entries: list[dict[str, Any]]) -> str:
    headers = ("ID", "SEVERITY", "LEVEL", "TITLE")
    rows = [(e["id"] + ("" if e["enabled"] else " (disabled)"), e["severity"], e["enforcement_level"], e["title"])
            for e in entries]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers[:-1])]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, [*widths, 0], strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, [*widths, 0], strict=True)).rstrip())
    lines.append("")
    lines.append(f"{len(rows)} rules. Details: jobguard rules ID")
    return "\n".join(lines)


def _enabled_text(entry: dict[str, Any]) -> str:
    if entry["enabled"]:
        return "yes"
    if not entry.get("configured"):
        return 'no (rules = "none" runs only rules that have a rule block)'
    return "no (disabled in jobguard.hcl)"


def _details(entry: dict[str, Any]) -> str:
    lines = [f"{entry['id']}: {entry['title']}", ""]
    facts = [("Severity", entry["severity"]),
             ("Enforcement level", entry["enforcement_level"]
              + ("" if entry["enforcement_level"] == entry["default_enforcement_level"]
                 else f" (default {entry['default_enforcement_level']})")),
             ("Enabled", _enabled_text(entry)),
             ("Category", entry.get("category") or ""),
             ("Provided by", entry["plugin"] + (f" ({entry['distribution']})" if entry["distribution"] else ""))]
    if entry.get("non_waivable"):
        facts.append(("Non-waivable", "yes"))
    if entry.get("help_uri"):
        facts.append(("More", entry["help_uri"]))
    width = max(len(k) for k, _ in facts)
    lines += [f"  {k.ljust(width)}  {v}" for k, v in facts]
    for heading, key in (("Rationale", "rationale"), ("Remediation", "remediation")):
        if entry.get(key):
            lines += ["", f"{heading}:", _indent(entry[key])]
    if entry.get("docs"):
        lines += ["", "Documentation:", _indent(entry["docs"].rstrip())]
    properties = (entry.get("params_schema") or {}).get("properties") or {}
    if properties:
        lines += ["", f'Params (rule "{entry["id"]}" {{ params = {{ ... }} }} in jobguard.hcl):']
        for name, schema in properties.items():
            kind = schema.get("type", "any")
            if kind == "array" and isinstance(schema.get("items"), dict):
                kind = f"list of {schema['items'].get('type', 'any')}"
            value = entry["params"].get(name, (entry.get("default_params") or {}).get(name))
            lines.append(f"  {name} ({kind}) = {json.dumps(value)}")
            if schema.get("description"):
                lines.append(textwrap.fill(schema["description"], width=110, initial_indent=" " * 6,
                                           subsequent_indent=" " * 6))
    else:
        lines += ["", "Params: none"]
    return "\n".join(lines)


def _indent(text: str, width: int = 2) -> str:
    pad = " " * width
    return "\n".join(pad + line if line.strip() else "" for line in str(text).strip("\n").splitlines())
