"""Consul Connect (service mesh) rules: the submit-time conditions Nomad enforces, caught before submitting.

Nomad checks these in its job-register admission hooks, i.e. only when the job reaches a server. Catching them in
CI gives the same reason earlier, with a file:line, and lets the proxy refuse the job with a clear message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from jobguard.jobspec.sourcemap import Path, format_path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, params_object


def connect_of(svc: dict[str, Any]) -> dict[str, Any]:
    return walk.as_dict(svc.get("Connect"))


def has_sidecar(svc: dict[str, Any]) -> bool:
    return isinstance(connect_of(svc).get("SidecarService"), dict)


def is_native(svc: dict[str, Any]) -> bool:
    return bool(connect_of(svc).get("Native"))


def is_gateway(svc: dict[str, Any]) -> bool:
    return isinstance(connect_of(svc).get("Gateway"), dict)


def group_services(job: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any], dict[str, Any]]]:
    """(path, group, service) for group-level services (Connect is only valid there)."""
    for spath, group, task, svc in walk.services(job):
        if task is None:
            yield spath, group, svc


def _mode_ok(mode: str, allowed: tuple[str, ...]) -> bool:
    return mode in allowed or ("cni/*" in allowed and mode.startswith("cni/"))


class ConnectRequiresBridge(Rule):
    id = "connect-requires-bridge"
    title = "Consul Connect groups use exactly one bridge or CNI network"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "networking"
    rationale = ("Connect sidecars intercept traffic inside the allocation's network namespace, which only exists "
                 "with bridge or CNI networking; Nomad rejects a sidecar group without exactly one such network at "
                 "submit time, and a native service in host mode has no isolated mesh listener.")
    remediation = 'Give the group exactly one `network { mode = "bridge" }` (or `cni/<name>`; gateways may use host).'
    params_schema = params_object(native_requires_bridge={
        "type": "boolean",
        "description": "Also require bridge/CNI for Connect native services (Nomad itself does not)."})
    default_params = {"native_requires_bridge": True}
    docs = """\
A group with a Connect sidecar (`connect { sidecar_service {} }`) or a Connect native service must have exactly one
`network` block, in mode `bridge` or `cni/<name>`. Gateway services (`connect { gateway {} }`) need exactly one
network in mode `bridge`, `cni/<name>` or `host`. Messages follow Nomad's own submit-time errors.

Nomad enforces this for sidecars and gateways only; for native services it is this rule's policy (a native app in
host mode listens on the node's interfaces, outside the allocation's namespace). Set
`native_requires_bridge = false` to follow Nomad exactly.

Bad:
```hcl
group "api" {
  network { mode = "host" }
  service {
    name    = "api"
    connect {
      sidecar_service {}
    }
  }
}
```

Good:
```hcl
group "api" {
  network { mode = "bridge" }
  service {
    name    = "api"
    port    = "9090"
    connect {
      sidecar_service {}
    }
    check {
      type     = "http"
      path     = "/health"
      interval = "10s"
      timeout  = "2s"
      expose   = true
    }
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        native_too = bool(self.effective_params(ctx).get("native_requires_bridge"))
        for spath, group, svc in group_services(ctx.job):
            if has_sidecar(svc) or (native_too and is_native(svc)):
                what, allowed = ("sidecars" if has_sidecar(svc) else "native services"), ("bridge", "cni/*")
            elif is_gateway(svc):
                what, allowed = "gateways", ("bridge", "cni/*", "host")
            else:
                continue
            nets = walk.as_list(group.get("Networks"))
            gname = group.get("Name")
            if len(nets) != 1:
                yield Violation(f"Consul Connect {what} require exactly 1 network, found {len(nets)} in group "
                                f"{gname!r} (service {svc.get('Name')!r})", spath)
                continue
            mode = str(walk.as_dict(nets[0]).get("Mode") or "host")
            if not _mode_ok(mode, allowed):
                need = " or ".join(f'"{m}"' for m in allowed)
                gpath = spath[:2]
                yield Violation(f"Consul Connect {what} require network mode {need}, found {mode!r} in group "
                                f"{gname!r} (service {svc.get('Name')!r})", gpath + ("Networks", 0, "Mode"))


class ConnectServiceNameLowercase(Rule):
    id = "connect-service-name-lowercase"
    title = "Connect service and group names are lowercase"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "networking"
    rationale = ("Consul assumes lowercase names for Connect sidecar proxies without validating them; Nomad refuses "
                 "uppercase service or group names with a sidecar at submit time.")
    remediation = "Use lowercase letters in the service name and in the group name."
    docs = """\
Services with a Connect sidecar, and their groups, must not contain uppercase characters (Nomad rejects the job).

Bad:
```hcl
group "API" {
  service {
    name    = "Payments"
    connect {
      sidecar_service {}
    }
  }
}
```

Good:
```hcl
group "api" {
  network { mode = "bridge" }
  service {
    name    = "payments"
    port    = "9090"
    connect {
      sidecar_service {}
    }
    check {
      type     = "http"
      path     = "/health"
      interval = "10s"
      timeout  = "2s"
      expose   = true
    }
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for spath, group, svc in group_services(ctx.job):
            if not has_sidecar(svc):
                continue
            name, gname = str(svc.get("Name") or ""), str(group.get("Name") or "")
            if name != name.lower():
                yield Violation(f"Consul Connect service name {name!r} in group {gname!r} must not contain uppercase "
                                "characters", spath + ("Name",))
            if gname != gname.lower():
                yield Violation(f"Consul Connect group {gname!r} with service {name!r} must not contain uppercase "
                                "characters", spath[:2] + ("Name",))


class ConnectUniqueUpstreamBinds(Rule):
    id = "connect-unique-upstream-binds"
    title = "Connect upstreams in a group bind distinct local addresses"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "networking"
    rationale = ("All sidecars of a group share one network namespace; two upstreams on the same local address "
                 "and port cannot both listen, and Nomad rejects the job.")
    remediation = "Give every upstream in the group its own `local_bind_port` (or address / socket path)."
    docs = """\
Every upstream of every Connect sidecar in a group must bind a different local address:port (or unix socket path).

Bad:
```hcl
proxy {
  upstreams {
    destination_name = "db"
    local_bind_port  = 5432
  }
  upstreams {
    destination_name = "cache"
    local_bind_port  = 5432
  }
}
```

Good:
```hcl
proxy {
  upstreams {
    destination_name = "db"
    local_bind_port  = 5432
  }
  upstreams {
    destination_name = "cache"
    local_bind_port  = 6379
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        seen_by_group: dict[Path, dict[str, str]] = {}
        for spath, group, svc in group_services(ctx.job):
            if not has_sidecar(svc):
                continue
            seen = seen_by_group.setdefault(spath[:2], {})
            proxy = walk.as_dict(walk.as_dict(connect_of(svc).get("SidecarService")).get("Proxy"))
            for ui, up in enumerate(walk.as_list(proxy.get("Upstreams"))):
                up = walk.as_dict(up)
                if up.get("LocalBindSocketPath"):
                    listener = "unix:" + str(up["LocalBindSocketPath"])
                else:
                    host = str(up.get("LocalBindAddress") or "")
                    host = f"[{host}]" if ":" in host else host
                    listener = f"{host}:{up.get('LocalBindPort') or 0}"
                path = spath + ("Connect", "SidecarService", "Proxy", "Upstreams", ui)
                if listener in seen:
                    yield Violation(f"Consul Connect services {svc.get('Name')!r} and {seen[listener]!r} in group "
                                    f"{group.get('Name')!r} use the same address for upstreams ({listener})", path)
                else:
                    seen[listener] = str(svc.get("Name"))


class ExposeChecksNeedSidecar(Rule):
    id = "expose-checks-need-sidecar"
    title = "Exposed checks belong to services with a Connect sidecar"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "networking"
    rationale = ("`expose = true` on a check asks the Envoy sidecar to publish the check path; without a sidecar "
                 "nothing publishes it, and Nomad rejects the job. Only http and grpc checks can be exposed.")
    remediation = "Remove `expose`, or add `connect { sidecar_service {} }` to the service; use an http/grpc check."
    docs = """\
A service check with `expose = true` must be an `http` or `grpc` check of a group service that has a Connect
sidecar.

Bad:
```hcl
service {
  name = "api"
  port = "http"
  check {
    type   = "http"
    path   = "/health"
    expose = true
  }
}
```

Good:
```hcl
service {
  name = "api"
  port = "9090"
  connect {
    sidecar_service {}
  }
  check {
    type   = "http"
    path   = "/health"
    expose = true
  }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for cpath, _group, task, svc, chk in walk.checks(ctx.job):
            if not chk.get("Expose"):
                continue
            where = f"{svc.get('Name')}->{chk.get('Name') or format_path(cpath)}"
            if task is not None or not has_sidecar(svc):
                yield Violation(f"exposed service check {where} requires use of a Connect sidecar proxy",
                                cpath + ("Expose",))
            elif str(chk.get("Type") or "").lower() not in ("http", "grpc"):
                yield Violation(f"exposed service check {where} is not http or grpc", cpath + ("Type",))
