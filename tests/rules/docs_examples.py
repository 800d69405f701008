"""Turn a rule's documented "Good:" example into a whole job, so the full rule set can judge it.

Rule docs show fragments (``config { ... }``, ``template { ... }``, ``group "api" { ... }``, ``job "api" { ... }``).
A fragment is placed where Nomad takes its top-level blocks, into a small job that itself passes every built-in
rule; the fragment's items replace the skeleton's items of the same name at that level (``config`` replaces the
skeleton's ``config``), so what is judged is the fragment, not the skeleton around it.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

GOOD = re.compile(r"^Good[^\n]*:\s*\n+```hcl\n(.*?)^```", re.M | re.S)
CONFIG_SNIPPET = re.compile(r"^```hcl\n(rule \"[^\"]+\" \{.*?)^```", re.M | re.S)

# where each fragment block goes: job, group, task, or the sidecar proxy of a Connect service
LEVEL = {
    "job": "job", "periodic": "job", "update": "job", "datacenters": "job", "namespace": "job", "meta": "job",
    "group": "group", "network": "group", "service": "group", "volume": "group", "spread": "group",
    "reschedule": "group", "count": "group",
    "task": "task", "config": "task", "resources": "task", "artifact": "task", "template": "task", "env": "task",
    "logs": "task", "vault": "task", "driver": "task",
    "proxy": "proxy",
}

SKELETON = {
    "job": [
        ("datacenters", 'datacenters = ["dc1"]'),
        ("namespace", 'namespace   = "payments"'),
        ("meta", 'meta {\n  owner = "team-payments"\n}'),
        ("update", "update {\n  max_parallel = 1\n  auto_revert  = true\n}"),
    ],
    "group": [
        ("count", "count = 2"),
        ("spread", 'spread {\n  attribute = "${node.unique.id}"\n}'),
        ("network", 'network {\n  mode = "bridge"\n  port "http" {\n    to = 8080\n  }\n}'),
        ("service", 'service {\n  name = "api"\n  port = "http"\n  check {\n    type     = "http"\n'
                    '    path     = "/health"\n    interval = "10s"\n    timeout  = "2s"\n  }\n}'),
    ],
    "task": [
        ("driver", 'driver = "docker"'),
        ("config", 'config {\n  image           = "registry.example.com/team/api:2.0.1@sha256:'
                   '0d5b3d5e3ab0a9e6a2b1f7a6bd9b8a21e3e3f0d2c6b5a4f3e2d1c0b9a8f7e6d5"\n'
                   '  readonly_rootfs = true\n}'),
        ("resources", "resources {\n  cpu    = 500\n  memory = 256\n}"),
    ],
}


@dataclass
class Item:
    """One top-level statement of a fragment: its name (``config``), the whole text, its body when a block."""

    name: str
    text: str
    label: str = ""
    body: str = ""


def split_items(text: str) -> list[Item]:
    """Top-level statements (attributes and blocks) of HCL text, with the comments before them attached."""
    items: list[Item] = []
    lines = text.splitlines()
    i = 0
    pending: list[str] = []
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            if stripped:
                pending.append(line)
            i += 1
            continue
        start = i
        depth, heredoc = 0, None
        while True:
            current = lines[i]
            if heredoc:
                if current.strip() == heredoc:
                    heredoc = None
            else:
                code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', current)
                depth += code.count("{") - code.count("}")
                marker = re.search(r"<<-?(\w+)\s*$", code)
                if marker:
                    heredoc = marker.group(1)
            i += 1
            if (depth <= 0 and not heredoc) or i >= len(lines):
                break
        chunk = "\n".join(lines[start:i])
        head = re.match(r'\s*([\w-]+)\s*(?:"([^"]*)")?\s*(=|\{)', chunk)
        assert head, f"cannot read the fragment statement: {chunk!r}"
        body = ""
        if head.group(3) == "{":
            body = textwrap.dedent(chunk[chunk.index("{") + 1:chunk.rindex("}")].strip("\n"))
        items.append(Item(head.group(1), "\n".join(pending + [chunk]), head.group(2) or "", body))
        pending = []
    return items


def _indent(text: str, by: int) -> str:
    return "\n".join((" " * by + line) if line.strip() else line for line in text.splitlines())


def _merge(level: str, fragment: list[Item]) -> list[str]:
    names = {item.name for item in fragment}
    if "network" in names:
        names.add("service")  # the skeleton's service names a port of the skeleton's network
    return [text for name, text in SKELETON.get(level, []) if name not in names] + [item.text for item in fragment]


def job_from_fragment(fragment: str) -> str:
    """A whole job around ``fragment``."""
    levels: dict[str, list[Item]] = {"job": [], "group": [], "task": [], "proxy": []}
    names = {"job": "docs-example", "group": "api", "task": "api"}
    for item in split_items(fragment):
        level = LEVEL.get(item.name)
        assert level, f"no place for a top-level {item.name!r} block in a job"
        if item.name in ("job", "group", "task"):  # a wrapper: its items merge at its own level
            names[item.name] = item.label or names[item.name]
            for inner in split_items(item.body):
                levels[LEVEL[inner.name] if inner.name in ("job", "group", "task") else item.name].append(inner)
            continue
        levels[level].append(item)
    task = _merge("task", levels["task"])
    group = _merge("group", levels["group"])
    if levels["proxy"]:
        proxy = "\n".join(item.text for item in levels["proxy"])
        group.append('service {\n  name = "api-mesh"\n  port = "9090"\n  connect {\n    sidecar_service {\n'
                     + _indent(proxy, 6) + '\n    }\n  }\n  check {\n    type     = "http"\n    path     = "/health"\n'
                     '    interval = "10s"\n    timeout  = "2s"\n    expose   = true\n  }\n}')
    job = _merge("job", levels["job"])
    if any(item.name == "periodic" for item in levels["job"]):
        job = ['type = "batch"'] + [t for t in job if not t.startswith("update")]  # periodic jobs are batch jobs
        group = [t for t in group if not t.startswith(("service", "spread"))]
    task_text = f'task "{names["task"]}" {{\n' + _indent("\n".join(task), 2) + "\n}"
    group_text = f'group "{names["group"]}" {{\n' + _indent("\n".join(group + [task_text]), 2) + "\n}"
    return f'job "{names["job"]}" {{\n' + _indent("\n".join(job + [group_text]), 2) + "\n}\n"


def good_examples(docs: str) -> list[str]:
    return [m.group(1) for m in GOOD.finditer(docs)]


def config_snippets(docs: str) -> list[str]:
    """``rule "ID" { params = ... }`` blocks a rule's docs tell users to put in jobguard.hcl."""
    return [m.group(1) for m in CONFIG_SNIPPET.finditer(docs)]
