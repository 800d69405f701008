"""Network rules that are not about Connect: static host ports."""

from __future__ import annotations

from collections.abc import Iterable

from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, params_object


class NoPrivilegedStaticPorts(Rule):
    id = "no-privileged-static-ports"
    title = "No static host ports below 1024"
    severity = "medium"
    enforcement_level = "soft-mandatory"
    category = "networking"
    rationale = ("Ports below 1024 are privileged on the host and usually belong to node services (SSH, DNS, the "
                 "ingress); a job that reserves one collides with them or impersonates them.")
    remediation = ("Use a dynamic port (`port \"http\" { to = 80 }`) or a static port >= 1024; ingress jobs that "
                   "must bind 80/443 can list them in the rule's `allowed_ports`.")
    params_schema = params_object(allowed_ports={
        "type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 1023},
        "description": "Privileged ports that may be reserved (e.g. [80, 443])."})
    default_params = {"allowed_ports": []}
    docs = """\
Static ports (`port "x" { static = N }`, group or task network) must be >= 1024 unless listed in `allowed_ports`.

Bad:
```hcl
network {
  port "dns" { static = 53 }
}
```

Good:
```hcl
network {
  port "dns" { to = 53 }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        allowed = set(self.effective_params(ctx).get("allowed_ports") or [])
        for gpath, group in walk.groups(ctx.job):
            for npath, net in walk.networks(group, gpath):
                for pi, port in enumerate(walk.as_list(net.get("ReservedPorts"))):
                    value = walk.as_dict(port).get("Value")
                    if isinstance(value, int) and 0 < value < 1024 and value not in allowed:
                        yield Violation(f"group {group.get('Name')!r} reserves privileged static port {value} "
                                        f"({walk.as_dict(port).get('Label')!r})",
                                        npath + ("ReservedPorts", pi, "Value"))
