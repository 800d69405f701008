"""Resource rules: tasks declare what they need, within what a node can sensibly give.

Whether a task *declared* resources can only be seen in the job before canonicalisation (``loaded.job``):
Canonicalize() fills the defaults (100 MHz, 300 MB) into ``canonical``, which hides the omission.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, params_object


def _raw_task(ctx: RuleContext, gi: int, ti: int) -> dict[str, Any] | None:
    """The task as written (before defaults), or None when the loaded job has no raw form."""
    groups = walk.as_list((ctx.loaded.job or {}).get("TaskGroups"))
    if gi < len(groups):
        tasks = walk.as_list(walk.as_dict(groups[gi]).get("Tasks"))
        if ti < len(tasks):
            return walk.as_dict(tasks[ti])
    return None


class ResourcesDeclared(Rule):
    id = "resources-declared"
    title = "Tasks declare their CPU and memory"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "resources"
    rationale = ("Without a `resources` block a task gets Nomad's defaults (100 MHz, 300 MB), which are rarely "
                 "right: too small and the task is OOM-killed, too large and capacity is wasted.")
    remediation = "Add `resources { cpu = ... memory = ... }` sized from observed usage."
    docs = """\
Every task must have a `resources` block that sets `memory` and `cpu` (or `cores`). Checked on the job as written,
since canonicalisation fills in defaults.

Bad:
```hcl
task "api" {
  driver = "docker"
  config { image = "example/api:2.0.1" }
}
```

Good:
```hcl
task "api" {
  driver = "docker"
  config { image = "example/api:2.0.1" }
  resources {
    cpu    = 500
    memory = 256
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for tpath, _group, task in walk.tasks(ctx.job):
            raw = _raw_task(ctx, tpath[1], tpath[3])
            if raw is None:
                continue
            res = raw.get("Resources")
            if not isinstance(res, dict):
                yield Violation(f"task {task.get('Name')!r} has no resources block (Nomad defaults apply)", tpath)
                continue
            missing = [name for name, keys in (("memory", ("MemoryMB",)), ("cpu", ("CPU", "Cores")))
                       if not any(res.get(k) for k in keys)]
            if missing:
                yield Violation(f"task {task.get('Name')!r} does not set {' or '.join(missing)} in resources",
                                tpath + ("Resources",))


class ResourcesWithinLimits(Rule):
    id = "resources-within-limits"
    title = "Task resources stay within the platform's limits"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "resources"
    rationale = ("An oversized request cannot be placed (or empties a node for one task); limits keep jobs "
                 "schedulable and capacity fair.")
    remediation = "Reduce the request, or split the work across more, smaller allocations."
    params_schema = params_object(
        max_cpu={"type": "integer", "minimum": 1, "description": "Max `cpu` in MHz per task."},
        max_cores={"type": "integer", "minimum": 1, "description": "Max `cores` per task."},
        max_memory_mb={"type": "integer", "minimum": 1, "description": "Max `memory` in MB per task."},
        max_memory_max_mb={"type": "integer", "minimum": 1, "description": "Max `memory_max` in MB."},
    )
    default_params = {"max_cpu": 8000, "max_cores": 8, "max_memory_mb": 16384, "max_memory_max_mb": 32768}
    docs = """\
Task `cpu`, `cores`, `memory` and `memory_max` must not exceed `max_cpu` (8000 MHz), `max_cores` (8),
`max_memory_mb` (16384) and `max_memory_max_mb` (32768).

Bad:
```hcl
resources {
  cpu    = 32000
  memory = 131072
}
```

Good:
```hcl
resources {
  cpu    = 1000
  memory = 1024
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        params = self.effective_params(ctx)
        limits = (("CPU", "max_cpu", "cpu", "MHz"), ("Cores", "max_cores", "cores", ""),
                  ("MemoryMB", "max_memory_mb", "memory", "MB"), ("MemoryMaxMB", "max_memory_max_mb", "memory_max",
                                                                   "MB"))
        for tpath, _group, task in walk.tasks(ctx.job):
            res = walk.as_dict(task.get("Resources"))
            for key, param, label, unit in limits:
                value, limit = res.get(key), params.get(param)
                if isinstance(value, (int, float)) and isinstance(limit, (int, float)) and value > limit:
                    yield Violation(f"task {task.get('Name')!r} requests {label} = {value}{unit}, above the limit of "
                                    f"{limit}{unit}", tpath + ("Resources", key))


class MemoryOversubscriptionBounded(Rule):
    id = "memory-oversubscription-bounded"
    title = "memory_max stays within a bound of memory"
    severity = "medium"
    enforcement_level = "advisory"
    category = "resources"
    rationale = ("`memory_max` lets a task use memory the scheduler never reserved; a large multiple of `memory` "
                 "invites node-wide OOM kills of other allocations.")
    remediation = "Lower `memory_max`, or raise `memory` to what the task really needs."
    params_schema = params_object(max_ratio={"type": "number", "exclusiveMinimum": 1,
                                             "description": "Largest allowed memory_max / memory."})
    default_params = {"max_ratio": 2.0}
    docs = """\
When a task sets `memory_max` (memory oversubscription), it must not exceed `max_ratio` (default 2) times
`memory`.

Bad:
```hcl
resources {
  memory     = 256
  memory_max = 4096
}
```

Good:
```hcl
resources {
  cpu        = 500
  memory     = 512
  memory_max = 1024
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        ratio = float(self.effective_params(ctx).get("max_ratio") or 2.0)
        for tpath, _group, task in walk.tasks(ctx.job):
            res = walk.as_dict(task.get("Resources"))
            mem, mem_max = res.get("MemoryMB"), res.get("MemoryMaxMB")
            if not isinstance(mem_max, (int, float)) or not isinstance(mem, (int, float)) or mem <= 0:
                continue
            if mem_max > mem * ratio:
                yield Violation(f"task {task.get('Name')!r} memory_max = {mem_max}MB is more than {ratio:g}x its "
                                f"memory ({mem}MB)", tpath + ("Resources", "MemoryMaxMB"))
