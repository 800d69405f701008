"""Scheduling rules: where a job may run, how it is rescheduled, and how periodic runs overlap."""

from __future__ import annotations

from collections.abc import Iterable

from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, params_object

_SECOND = 1_000_000_000


class NoWildcardDatacenters(Rule):
    id = "no-wildcard-datacenters"
    title = "Jobs name their datacenters"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "scheduling"
    rationale = ("`datacenters = [\"*\"]` (also Nomad's default when the attribute is omitted) places the job "
                 "in any datacenter of the region, including ones it was never meant for (DR, edge, staging).")
    remediation = "List the datacenters explicitly: `datacenters = [\"dc1\"]`, or use node pools."
    docs = """\
`datacenters` must not contain `"*"` (omitting the attribute means `["*"]`).

Bad:
```hcl
job "api" {
  datacenters = ["*"]
}
```

Good:
```hcl
job "api" {
  datacenters = ["eu-west-1a", "eu-west-1b"]
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        dcs = ctx.job.get("Datacenters")
        if not dcs:
            yield Violation('datacenters is not set: Nomad places the job as if it were ["*"], in any datacenter',
                            ("Datacenters",))
            return
        for i, dc in enumerate(walk.as_list(dcs)):
            if isinstance(dc, str) and dc.strip() == "*":
                yield Violation("datacenters contains \"*\": the job may run in any datacenter", ("Datacenters", i))


class NoDefaultNamespace(Rule):
    id = "no-default-namespace"
    title = "Jobs run in a team namespace, not default"
    severity = "low"
    enforcement_level = "advisory"
    category = "scheduling"
    rationale = ("The `default` namespace is shared by everyone: ACL policies, quotas and Variables cannot be "
                 "scoped to a team there.")
    remediation = "Set `namespace = \"<team>\"` on the job (or submit with -namespace)."
    docs = """\
The job's namespace must not be `default` (or unset).

Bad:
```hcl
job "api" {
  namespace = "default"
}
```

Good:
```hcl
job "api" {
  namespace = "payments"
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        ns = ctx.job.get("Namespace")
        if not ns or ns == "default":
            yield Violation("job runs in the default namespace", ("Namespace",))


class RescheduleBounded(Rule):
    id = "reschedule-bounded"
    title = "Rescheduling backs off or is bounded"
    severity = "medium"
    enforcement_level = "advisory"
    category = "scheduling"
    rationale = ("Unlimited rescheduling with a constant or tiny delay turns a crashing job into a placement storm "
                 "that churns the cluster; batch jobs rescheduled forever never finish failing.")
    remediation = ("Use `delay_function = \"exponential\"` (or fibonacci) with a `max_delay` of minutes, or set "
                   "`unlimited = false` with `attempts`/`interval`.")
    params_schema = params_object(
        min_delay_seconds={"type": "number", "minimum": 0,
                           "description": "Smallest first delay for unlimited rescheduling."},
        min_max_delay_seconds={"type": "number", "minimum": 0,
                               "description": "Smallest max_delay for unlimited rescheduling."},
    )
    default_params = {"min_delay_seconds": 5, "min_max_delay_seconds": 300}
    docs = """\
A group's `reschedule` policy with `unlimited = true` must back off: `delay_function` exponential or fibonacci,
`delay` >= `min_delay_seconds` (5) and `max_delay` >= `min_max_delay_seconds` (300), or a constant `delay` of at
least `min_max_delay_seconds`. Batch and sysbatch jobs must not reschedule without limit at all.

Bad:
```hcl
reschedule {
  unlimited      = true
  delay          = "1s"
  delay_function = "constant"
}
```

Good:
```hcl
reschedule {
  unlimited      = true
  delay          = "30s"
  delay_function = "exponential"
  max_delay      = "1h"
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        params = self.effective_params(ctx)
        min_delay = float(params.get("min_delay_seconds") or 0) * _SECOND
        min_max = float(params.get("min_max_delay_seconds") or 0) * _SECOND
        batch = ctx.job.get("Type") in ("batch", "sysbatch")
        for gpath, group in walk.groups(ctx.job):
            policy = walk.as_dict(group.get("ReschedulePolicy"))
            if not policy.get("Unlimited"):
                continue
            path = gpath + ("ReschedulePolicy",)
            name = group.get("Name")
            if batch:
                yield Violation(f"batch group {name!r} is rescheduled without limit", path + ("Unlimited",))
                continue
            fn = str(policy.get("DelayFunction") or "constant")
            delay, max_delay = policy.get("Delay") or 0, policy.get("MaxDelay") or 0
            if fn == "constant":
                if delay < max(min_delay, min_max):
                    yield Violation(f"group {name!r} is rescheduled without limit at a constant short delay",
                                    path + ("DelayFunction",))
            elif delay < min_delay or max_delay < min_max:
                yield Violation(f"group {name!r} is rescheduled without limit with too little back-off "
                                "(delay or max_delay too small)", path)


class PeriodicProhibitOverlap(Rule):
    id = "periodic-prohibit-overlap"
    title = "Periodic jobs do not overlap"
    severity = "medium"
    enforcement_level = "advisory"
    category = "scheduling"
    rationale = ("Without `prohibit_overlap` a slow run and the next one run together: duplicate work, lock "
                 "contention, and a pile-up when runs keep getting slower.")
    remediation = "Set `periodic { prohibit_overlap = true }`."
    docs = """\
Periodic jobs must set `prohibit_overlap = true`.

Bad:
```hcl
periodic {
  crons = ["*/15 * * * *"]
}
```

Good:
```hcl
periodic {
  crons            = ["*/15 * * * *"]
  prohibit_overlap = true
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        periodic = ctx.job.get("Periodic")
        if isinstance(periodic, dict) and periodic.get("Enabled", True) and not periodic.get("ProhibitOverlap"):
            yield Violation("periodic job allows overlapping runs (prohibit_overlap is false)",
                            ("Periodic", "ProhibitOverlap"))
