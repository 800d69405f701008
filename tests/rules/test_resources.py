"""Resource rules."""

from __future__ import annotations

import copy


def test_resources_declared_uses_the_raw_job(run, job):
    raw = copy.deepcopy(job)
    raw["TaskGroups"][0]["Tasks"][0]["Resources"] = None
    out = run("resources-declared", job, raw=raw)
    assert len(out) == 1 and "no resources block" in out[0].message


def test_resources_declared_partial(run, job):
    raw = copy.deepcopy(job)
    raw["TaskGroups"][0]["Tasks"][0]["Resources"] = {"CPU": 500, "MemoryMB": None}
    out = run("resources-declared", job, raw=raw)
    assert len(out) == 1 and "memory" in out[0].message and "cpu" not in out[0].message


def test_resources_declared_passes_with_cores_and_without_raw(run, job):
    raw = copy.deepcopy(job)
    raw["TaskGroups"][0]["Tasks"][0]["Resources"] = {"Cores": 2, "MemoryMB": 512}
    assert run("resources-declared", job, raw=raw) == []
    assert run("resources-declared", job, raw={}) == []   # API job without a raw form: nothing to judge


def test_resources_within_limits(run, job, task):
    task["Resources"].update({"CPU": 32000, "MemoryMB": 131072})
    out = run("resources-within-limits", job)
    assert sorted(v.path[-1] for v in out) == ["CPU", "MemoryMB"]
    assert run("resources-within-limits", job, {"max_cpu": 64000, "max_memory_mb": 262144}) == []


def test_memory_oversubscription(run, job, task):
    task["Resources"].update({"MemoryMB": 256, "MemoryMaxMB": 4096})
    (v,) = run("memory-oversubscription-bounded", job)
    assert v.path[-1] == "MemoryMaxMB"
    task["Resources"]["MemoryMaxMB"] = 512
    assert run("memory-oversubscription-bounded", job) == []
    task["Resources"]["MemoryMaxMB"] = 1024
    assert run("memory-oversubscription-bounded", job, {"max_ratio": 4}) == []
