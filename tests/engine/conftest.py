"""Shared fixtures for the engine tests: a plugin manager with small test rules, and hand-made loaded jobs.

The test rules are deliberately tiny and independent of the built-in rule pack, so these tests pin the engine's
behaviour (enforcement, suppression, params, positions) rather than any particular rule's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Iterable

import pytest

from jobguard.hookspec import hookimpl
from jobguard.jobspec import LoadedJob, SourceMap
from jobguard.plugins import create_plugin_manager
from jobguard.rules.base import Rule, RuleContext, Violation


class FloatingTag(Rule):
    """Flags images whose tag is in ``params.tags`` (default: latest)."""

    id = "test-floating-tag"
    title = "Image uses a floating tag"
    severity = "high"
    enforcement_level = "soft-mandatory"
    help_uri = "https://example.test/rules/test-floating-tag"
    params_schema = {
        "type": "object", "additionalProperties": False,
        "properties": {"tags": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
    }
    default_params = {"tags": ["latest"]}

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for path, _group, task in ctx.tasks():
            image = str((task.get("Config") or {}).get("image", ""))
            if image.rpartition(":")[2] in ctx.params["tags"]:
                yield Violation(f"image {image!r} uses a floating tag", path + ("Config", "image"))


class EnvSecret(Rule):
    """Flags env keys containing PASSWORD (without printing the value)."""

    id = "test-env-secret"
    title = "Secret in env"
    severity = "critical"
    enforcement_level = "hard-mandatory"
    redact_value = True

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for path, _group, task in ctx.tasks():
            for key in task.get("Env") or {}:
                if "PASSWORD" in key:
                    yield Violation(f"env {key} holds a literal secret", path + ("Env", key))


class Advice(Rule):
    """Advisory: every job should set a Priority above 10."""

    id = "test-advice"
    title = "Low priority"
    severity = "info"
    enforcement_level = "advisory"

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        if (ctx.job.get("Priority") or 50) <= 10:
            yield Violation("priority is very low", ("Priority",))


class Crashing(Rule):
    id = "test-crashing"
    title = "Always crashes"

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        raise RuntimeError("boom")


class RulesPlugin:
    @hookimpl
    def jobguard_rules(self) -> list[Any]:
        return [FloatingTag(), EnvSecret(), Advice]

    @hookimpl
    def jobguard_policy_imports(self) -> dict[str, Any]:
        return {"teams": lambda: {"owners": ["platform"]}}


@pytest.fixture
def pm():
    manager = create_plugin_manager(entry_points=False, builtins=False)
    manager.register(RulesPlugin(), name="test-rules")
    return manager


SOURCE = """\
job "web" {
  priority = 50
  group "g" {
    task "app" {
      driver = "docker"
      config {
        image = "nginx:latest"
      }
      env {
        DB_PASSWORD = "hunter2"
        MODE        = "prod"
      }
    }
    task "side" {
      driver = "docker"
      config {
        image = "redis:latest"
      }
    }
  }
}
"""

# What the loader records for SOURCE (path -> line, column), written out by hand so these tests depend only on the
# documented SourceMap contract. End-to-end tests with the real loader live in test_engine_e2e.py.
POSITIONS = {
    (): (1, 1),
    ("Priority",): (2, 3),
    ("TaskGroups", 0): (3, 3),
    ("TaskGroups", 0, "Tasks", 0): (4, 5),
    ("TaskGroups", 0, "Tasks", 0, "Config"): (6, 7),
    ("TaskGroups", 0, "Tasks", 0, "Config", "image"): (7, 9),
    ("TaskGroups", 0, "Tasks", 0, "Env"): (9, 7),
    ("TaskGroups", 0, "Tasks", 0, "Env", "DB_PASSWORD"): (10, 9),
    ("TaskGroups", 0, "Tasks", 0, "Env", "MODE"): (11, 9),
    ("TaskGroups", 0, "Tasks", 1): (14, 5),
    ("TaskGroups", 0, "Tasks", 1, "Config"): (16, 7),
    ("TaskGroups", 0, "Tasks", 1, "Config", "image"): (17, 9),
}


def web_job(job_id: str = "web", meta: dict | None = None, group_meta: dict | None = None,
            task_meta: dict | None = None, priority: int = 50) -> dict[str, Any]:
    return {
        "ID": job_id, "Name": job_id, "Priority": priority, "Meta": meta,
        "TaskGroups": [{
            "Name": "g", "Meta": group_meta,
            "Tasks": [
                {"Name": "app", "Driver": "docker", "Config": {"image": "nginx:latest"},
                 "Env": {"DB_PASSWORD": "hunter2", "MODE": "prod"}, "Meta": task_meta},
                {"Name": "side", "Driver": "docker", "Config": {"image": "redis:latest"}, "Env": None, "Meta": None},
            ],
        }],
    }


def loaded(source: str = SOURCE, job: dict | None = None, positions: dict | None = None,
           file: str = "web.nomad.hcl", fmt: str = "hcl2") -> LoadedJob:
    """A LoadedJob for ``source``; line numbers in POSITIONS shift with lines inserted before them by tests."""
    source_map = SourceMap(file)
    for path, (line, column) in (POSITIONS if positions is None else positions).items():
        source_map.add(path, line, column)
    job = job or web_job()
    return LoadedJob(file=file, job=job, canonical=job, source_map=source_map, source=source, format=fmt)


def insert_lines(after: int, lines: list[str], source: str = SOURCE) -> tuple[str, dict]:
    """SOURCE with ``lines`` inserted after line ``after``, and POSITIONS shifted to match."""
    text = source.splitlines(keepends=True)
    text[after:after] = [line + "\n" for line in lines]
    shifted = {p: ((ln + len(lines)) if ln > after else ln, col) for p, (ln, col) in POSITIONS.items()}
    return "".join(text), shifted


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
