"""What a new configuration must pass before a hot reload swaps it in: complete, sane, and not worse on probes.

A file caught half-written or cut short still parses surprisingly often: a 0-byte policy file, a
``jobguard.hcl`` truncated right after a closing brace (every later policy silently gone), a policy cut before
its ``main`` rule. Each of those used to become the live policy set, denying everything (HTTP 500) or letting
through what a dropped policy forbids. So a reload is refused, and the previous set keeps serving, when:

* ``jobguard.hcl`` or a policy file is empty (whitespace and comments only count as empty for policies);
* a policy has no ``main`` rule;
* a policy or an enabled ``rule`` block of the running configuration is missing from the new one. Removing one
  is made explicit by first setting ``enabled = false`` in its block (a truncated file cannot write that) and
  reloading, then deleting the block; a file removed from a ``--policy`` directory needs a restart;
* a probe job fails: each ``probe_jobs`` file (known-good jobs the operator names) must be allowed, and the
  built-in probe job must not make any policy or rule crash that did not crash on it before.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jobguard.proxy.settings import ProxySettings
from jobguard.proxy.snapshot import read_stable

if TYPE_CHECKING:  # only for the annotations: the proxy imports the engine when it loads it
    from jobguard.engine.engine import Engine

#: A typical, complete service job: every policy written for real jobs should evaluate on it without crashing.
BUILTIN_PROBE = json.dumps({"Job": {
    "ID": "jobguard-probe", "Name": "jobguard-probe", "Type": "service", "Namespace": "default",
    "Datacenters": ["dc1"], "Priority": 50, "Meta": {"owner": "jobguard", "team": "platform"},
    "TaskGroups": [{
        "Name": "web", "Count": 2,
        "Networks": [{"Mode": "bridge", "DynamicPorts": [{"Label": "http", "To": 8080}]}],
        "Services": [{"Name": "web", "PortLabel": "http", "Provider": "consul",
                      "Checks": [{"Name": "alive", "Type": "http", "Path": "/health", "Interval": 10_000_000_000,
                                  "Timeout": 2_000_000_000}]}],
        "RestartPolicy": {"Attempts": 2, "Interval": 1_800_000_000_000, "Delay": 15_000_000_000, "Mode": "fail"},
        "Tasks": [{
            "Name": "server", "Driver": "docker",
            "Config": {"image": "registry.example.com/web@sha256:" + "0" * 64, "ports": ["http"]},
            "Env": {"PORT": "8080"}, "Meta": {"component": "web"},
            "Resources": {"CPU": 200, "MemoryMB": 256},
            "Constraints": [{"LTarget": "${attr.kernel.name}", "RTarget": "linux", "Operand": "="}]}]}]}})


class ReloadRefused(Exception):
    """The new configuration is not a valid reload; ``str()`` lists why (file:line:col where known)."""


def static_problems(old: Engine | None, new: Engine) -> list[str]:
    """Problems visible without evaluating anything (empty files, no main, vanished policies or rules)."""
    problems: list[str] = []
    config = new.config
    if config.path and not config.text.strip():
        problems.append(f"{config.path}: the configuration file is empty")
    problems += policy_problems(new)
    if old is not None:
        problems += _vanished(old, new)
    return problems


def policy_problems(engine: Engine) -> list[str]:
    """Empty policy files and policies without ``main`` (also refused at start-up: every job would fail)."""
    problems = []
    for spec in engine.policies:
        if not _code(spec.text):
            problems.append(f"{spec.file}: the policy file is empty")
        elif not _assigns_main(getattr(spec.compiled, "module", None)):
            problems.append(f"{spec.file}: the policy has no main rule")
    return problems


def _code(text: str) -> str:
    """The text without comments and blank lines (a policy of only comments is as empty as a 0-byte one)."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "//")):
            lines.append(stripped)
    return "\n".join(lines)


def _assigns_main(node: Any) -> bool:
    """Does the policy assign ``main`` (at top level or in a top-level ``if``), outside function bodies?"""
    if node is None:
        return True  # not a compiled jobguard policy: nothing to check
    if type(node).__name__ == "Assign":
        target = getattr(node, "target", None)
        return type(target).__name__ == "Name" and getattr(target, "name", "") == "main"
    if type(node).__name__.startswith("Func"):
        return False
    if isinstance(node, list):
        return any(_assigns_main(item) for item in node)
    if is_dataclass(node):
        return any(_assigns_main(getattr(node, f.name)) for f in fields(node)
                   if isinstance(getattr(node, f.name), list) or type(getattr(node, f.name)).__name__ in (
                       "Block", "If", "Assign"))
    return False


def _vanished(old: Engine, new: Engine) -> list[str]:
    """Policies and enabled rule blocks of the running configuration that the new one no longer has."""
    problems = []
    new_config = new.config
    new_blocks = set(new_config.policies)
    new_cli = {p.name for p in new.policies if p.origin == "cli"}
    where = new_config.path or "the configuration"
    for spec in old.policies:
        if spec.origin == "cli":
            if spec.name not in new_cli:
                problems.append(f"{spec.file}: policy {spec.name!r} is gone; files given with --policy are removed "
                                "with a restart")
        elif spec.name not in new_blocks:
            problems.append(f'{where}: policy "{spec.name}" is no longer configured (a truncated file?); to retire '
                            "it without a restart, set enabled = false in its block and reload first")
    old_rules = old.config.rules
    new_rules = new_config.rules
    for rule_id, block in old_rules.items():
        if block.enabled and rule_id not in new_rules:
            problems.append(f'{where}: rule "{rule_id}" block is no longer configured (a truncated file?); to '
                            "return the rule to its defaults without a restart, remove its settings but keep "
                            "the block, or restart")
    return problems


def probe_jobs(settings: ProxySettings, engine: Engine) -> list[tuple[str, str]]:
    """The operator's probe jobs as (path, text), read atomically; paths are relative to jobguard.hcl."""
    config_path = engine.config.path or settings.config_path
    base = Path(config_path).parent if config_path else Path(".")
    out = []
    for raw in settings.probe_jobs:
        path = raw if os.path.isabs(raw) else str(base / raw)
        try:
            out.append((path, read_stable(path)))
        except (OSError, UnicodeDecodeError) as exc:
            raise ReloadRefused(f"{path}: cannot read probe job: {exc}") from None
    return out


def judge_probes(results: list[tuple[str, list[str], list[str]]], baseline: set[str] | None) -> list[str]:
    """Problems from probe results ``(name, errors, blocking)``: any failure of an operator probe job, and new
    errors on the built-in probe (``baseline``: its errors under the running set, None if unknown)."""
    problems = []
    for name, errors, blocking in results:
        if name == BUILTIN_NAME:
            fresh = [e for e in errors if baseline is None or e not in baseline]
            problems += [f"the built-in probe job makes a check crash: {e}" for e in fresh]
        elif errors:
            problems += [f"{name}: probe job: evaluation error: {e}" for e in errors]
        elif blocking:
            problems += [f"{name}: probe job is denied: {b}" for b in blocking]
    return problems


BUILTIN_NAME = "<built-in probe job>"
