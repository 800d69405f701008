"""Fixtures for rule tests: a minimal canonical job that each test patches, and a runner for one rule.

The job is written by hand in the canonical (PascalCase, defaults filled) shape the loader produces, small enough
to read at a glance. ``job``, ``group`` and ``task`` are the same object graph, so a test patches the part it is
about (``task["Env"] = {...}``) and runs the rule on the whole job.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.sourcemap import SourceMap
from jobguard.rules import jobguard_rules
from jobguard.rules.base import Rule, RuleContext, Violation

RULES: dict[str, Rule] = {rule.id: rule for rule in jobguard_rules()}
DIGEST = "sha256:" + "3f" * 32
IMAGE = f"registry.example.com/web/app:1.4.2@{DIGEST}"


def minimal_job() -> dict[str, Any]:
    """A service job with one group and one docker task; every rule of the pack passes or ignores it except the
    ones whose defaults a bare job cannot meet (namespace, meta, readonly rootfs, ...)."""
    return {
        "ID": "web", "Name": "web", "Type": "service", "Namespace": "payments", "Region": "global",
        "Datacenters": ["dc1"], "Priority": 50, "Meta": {"owner": "team-payments"},
        "Constraints": None, "Spreads": None, "Periodic": None, "Update": None,
        "TaskGroups": [{
            "Name": "web", "Count": 2, "Constraints": None,
            "Spreads": [{"Attribute": "${node.unique.id}", "Weight": 50, "SpreadTarget": None}],
            "Networks": [{"Mode": "bridge", "ReservedPorts": None,
                          "DynamicPorts": [{"Label": "http", "Value": 0, "To": 8080, "HostNetwork": "default"}]}],
            "Services": None, "Volumes": None, "Meta": None, "Scaling": None,
            "Update": {"MaxParallel": 1, "AutoRevert": True, "Canary": 0, "HealthCheck": "checks"},
            "ReschedulePolicy": {"Attempts": 0, "Interval": 0, "Delay": 30_000_000_000,
                                 "DelayFunction": "exponential", "MaxDelay": 3_600_000_000_000, "Unlimited": True},
            "Tasks": [{
                "Name": "app", "Driver": "docker",
                "Config": {"image": IMAGE, "ports": ["http"], "readonly_rootfs": True},
                "Env": None, "Meta": None, "Services": None, "Templates": None, "Artifacts": None, "Vault": None,
                "Constraints": None, "VolumeMounts": None,
                "Resources": {"CPU": 200, "Cores": 0, "MemoryMB": 256, "MemoryMaxMB": None, "Networks": None},
                "LogConfig": {"MaxFiles": 10, "MaxFileSizeMB": 10, "Enabled": None, "Disabled": False},
            }],
        }],
    }


def make_loaded(job: dict[str, Any], raw: dict[str, Any] | None = None, variables: dict[str, Any] | None = None,
                variable_sources: dict[str, str] | None = None) -> LoadedJob:
    """Wrap a hand-written canonical job; ``raw`` is the job before defaults (a copy of ``job`` unless given)."""
    return LoadedJob(file="test.nomad.hcl", job=copy.deepcopy(job) if raw is None else raw, canonical=job,
                     source_map=SourceMap("test.nomad.hcl"), variables=variables or {},
                     variable_sources=variable_sources or {})


def run_rule(rule_id: str, job_or_loaded: dict[str, Any] | LoadedJob, params: dict[str, Any] | None = None,
             **loaded_kwargs: Any) -> list[Violation]:
    """Run one registered rule with its default params overlaid by ``params``; returns its violations."""
    rule = RULES[rule_id]
    loaded = job_or_loaded if isinstance(job_or_loaded, LoadedJob) else make_loaded(job_or_loaded, **loaded_kwargs)
    return list(rule.check(RuleContext(loaded, {**rule.default_params, **(params or {})})))


@pytest.fixture
def job() -> dict[str, Any]:
    return minimal_job()


@pytest.fixture
def group(job: dict[str, Any]) -> dict[str, Any]:
    return job["TaskGroups"][0]


@pytest.fixture
def task(group: dict[str, Any]) -> dict[str, Any]:
    return group["Tasks"][0]


@pytest.fixture
def run() -> Callable[..., list[Violation]]:
    return run_rule
