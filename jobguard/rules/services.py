"""Service rules: registered services are health-checked, reachable on real ports, and deploy safely.

A service without a check is "healthy" as soon as its task starts, so deployments promote broken versions and
load balancers route to them; a port label that does not exist fails at placement; a deployment without
auto_revert leaves a failed version running.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jobguard.jobspec.sourcemap import format_path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, params_object
from jobguard.rules.connect import has_sidecar, is_gateway

_PORTED_CHECKS = ("http", "tcp", "grpc")


class ServiceChecksRequired(Rule):
    id = "service-checks-required"
    title = "Services have health checks"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "reliability"
    rationale = ("Without a check a service counts as healthy once its task runs: deployments promote broken "
                 "versions and traffic is routed to instances that cannot serve.")
    remediation = "Add a `check` block (http, tcp, grpc or script) to the service."
    docs = """\
Every service (group or task level; Connect gateways excepted, Envoy checks itself) must have at least one
`check`.

Bad:
```hcl
service {
  name = "api"
  port = "http"
}
```

Good:
```hcl
service {
  name = "api"
  port = "http"
  check {
    type     = "http"
    path     = "/health"
    interval = "10s"
    timeout  = "2s"
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for spath, _group, _task, svc in walk.services(ctx.job):
            if is_gateway(svc) or walk.as_list(svc.get("Checks")):
                continue
            yield Violation(f"service {svc.get('Name')!r} has no health check", spath)


def _port_ok(label: Any, labels: set[str]) -> bool:
    label = str(label or "")
    return not label or label.isdigit() or label in labels or "${" in label


class CheckPortExists(Rule):
    id = "check-port-exists"
    title = "Service and check ports name ports of the group"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "reliability"
    rationale = ("A service or check `port` must be a label of a `port` in the group's network (or a number); a "
                 "typo is only noticed when the allocation fails to register or the check never passes.")
    remediation = "Use a label declared in the group's `network { port \"...\" {} }`, or a port number."
    docs = """\
The `port` of a service and of each of its `http`/`tcp`/`grpc` checks must be a number, an interpolation, or the
label of a port declared in the group's `network` block (or, deprecated, in the task's `resources { network }`).

Bad:
```hcl
network { port "http" {} }
service {
  name = "api"
  port = "http"
  check {
    type = "http"
    port = "healthz"
    path = "/health"
  }
}
```

Good:
```hcl
network {
  port "http" {}
  port "admin" {}
}
service {
  name = "api"
  port = "http"
  check {
    type = "http"
    port = "admin"
    path = "/health"
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        labels_by_group: dict[Any, set[str]] = {}
        for spath, group, _task, svc in walk.services(ctx.job):
            if is_gateway(svc):
                continue
            labels = labels_by_group.setdefault(spath[:2], walk.port_labels(group, spath[:2]))
            if not has_sidecar(svc) and not _port_ok(svc.get("PortLabel"), labels):
                yield Violation(f"service {svc.get('Name')!r} uses port {svc.get('PortLabel')!r}, which no network "
                                f"of group {group.get('Name')!r} declares", spath + ("PortLabel",))
            for ci, chk in enumerate(walk.as_list(svc.get("Checks"))):
                chk = walk.as_dict(chk)
                if str(chk.get("Type") or "").lower() not in _PORTED_CHECKS or chk.get("Expose"):
                    continue
                if not _port_ok(chk.get("PortLabel"), labels):
                    cpath = spath + ("Checks", ci)
                    yield Violation(f"check {chk.get('Name') or format_path(cpath)!r} of service {svc.get('Name')!r} "
                                    f"uses port {chk.get('PortLabel')!r}, which no network of group "
                                    f"{group.get('Name')!r} declares", cpath + ("PortLabel",))


class DeploymentAutoRevert(Rule):
    id = "deployment-auto-revert"
    title = "Service deployments revert automatically"
    severity = "medium"
    enforcement_level = "advisory"
    category = "reliability"
    rationale = ("Without `auto_revert` a failed deployment leaves the broken version running until someone "
                 "notices; with it Nomad rolls back to the last stable version.")
    remediation = "Set `update { auto_revert = true }` on the job or group."
    docs = """\
Groups of service jobs that deploy (an `update` block with `max_parallel > 0`) must set `auto_revert = true`.

Bad:
```hcl
update {
  max_parallel = 1
}
```

Good:
```hcl
update {
  max_parallel = 1
  auto_revert  = true
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        if not walk.is_service_job(ctx.job):
            return
        for gpath, group in walk.groups(ctx.job):
            update = group.get("Update")
            if not isinstance(update, dict) or not update.get("MaxParallel"):
                continue
            if not update.get("AutoRevert"):
                yield Violation(f"group {group.get('Name')!r} deploys without auto_revert", gpath + ("Update",
                                                                                                  "AutoRevert"))


def _spreads_instances(job: dict[str, Any], group: dict[str, Any]) -> bool:
    """Does a spread or a distinct_hosts/distinct_property constraint keep a group's instances apart?"""
    if walk.as_list(job.get("Spreads")) or walk.as_list(group.get("Spreads")):
        return True
    holders = [job, group] + [walk.as_dict(t) for t in walk.as_list(group.get("Tasks"))]
    for holder in holders:
        for con in walk.as_list(holder.get("Constraints")):
            op = str(walk.as_dict(con).get("Operand") or "")
            if op in ("distinct_hosts", "distinct_property"):
                return True
    return False


class ServiceInstancesSpread(Rule):
    id = "service-instances-spread"
    title = "Service instances are spread over hosts"
    severity = "low"
    enforcement_level = "advisory"
    category = "reliability"
    rationale = ("Nomad's bin-packing may put every instance of a group on one node: the replicas then fail "
                 "together. Count 1 has no replica at all.")
    remediation = ("Run at least `min_count` instances and add a `spread { attribute = \"${node.unique.id}\" }` or "
                   "a `constraint { operator = \"distinct_hosts\" value = \"true\" }`.")
    params_schema = params_object(min_count={"type": "integer", "minimum": 1,
                                             "description": "Fewest instances a service group may run (1 disables)."})
    default_params = {"min_count": 2}
    docs = """\
Groups of service jobs must run at least `min_count` (default 2) instances, and groups with more than one instance
need a `spread` or a `distinct_hosts`/`distinct_property` constraint (job, group or task level) so the instances
do not share one node. Groups with a `scaling` block are judged by their `scaling.min`.

Bad:
```hcl
group "api" {
  count = 1
}
```

Good:
```hcl
group "api" {
  count = 3
  spread { attribute = "${node.unique.id}" }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        job = ctx.job
        if not walk.is_service_job(job):
            return
        min_count = int(self.effective_params(ctx).get("min_count") or 1)
        for gpath, group in walk.groups(job):
            count = group.get("Count")
            scaling = walk.as_dict(group.get("Scaling"))
            if isinstance(scaling.get("Min"), int):
                count = scaling["Min"]
            if not isinstance(count, int) or count == 0:
                continue
            if count < min_count:
                yield Violation(f"service group {group.get('Name')!r} runs {count} instance(s), fewer than "
                                f"{min_count}: no redundancy", gpath + ("Count",))
            elif count > 1 and not _spreads_instances(job, group):
                yield Violation(f"service group {group.get('Name')!r} runs {count} instances without a spread or "
                                "distinct_hosts constraint: they may all land on one node", gpath)


class UpdateMaxParallelWithinCount(Rule):
    id = "update-max-parallel-within-count"
    title = "update.max_parallel does not exceed count"
    severity = "low"
    enforcement_level = "advisory"
    category = "reliability"
    rationale = ("`max_parallel` above `count` replaces every instance at once: the rolling update is not rolling "
                 "and a bad version takes the whole service down.")
    remediation = "Set `max_parallel` below `count` (typically 1 or a fraction of count)."
    docs = """\
A group's `update.max_parallel` must not be greater than its `count` (system and sysbatch jobs run one instance
per node whatever their count, and are skipped).

Bad:
```hcl
group "api" {
  count = 2
  update { max_parallel = 5 }
}
```

Good:
```hcl
group "api" {
  count = 4
  update { max_parallel = 1 }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        if ctx.job.get("Type") in ("system", "sysbatch"):
            return
        for gpath, group in walk.groups(ctx.job):
            update = walk.as_dict(group.get("Update"))
            mp, count = update.get("MaxParallel"), group.get("Count")
            if isinstance(mp, int) and isinstance(count, int) and count >= 1 and mp > count:
                yield Violation(f"group {group.get('Name')!r} has update.max_parallel = {mp} > count = {count}",
                                gpath + ("Update", "MaxParallel"))
