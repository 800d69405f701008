"""Container isolation rules (docker, podman and other container drivers' ``config``).

Each rule closes one way out of the container to the host: privileged mode, host namespaces, dangerous Linux
capabilities, host paths that give control of the node (the Docker socket, ``/etc``, ``/proc``...), a writable
root filesystem, or no container at all (``raw_exec``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import Any

from jobguard.jobspec.sourcemap import Path
from jobguard.rules import walk
from jobguard.rules.base import Rule, RuleContext, Violation, params_object, string_list


class NoPrivilegedContainers(Rule):
    id = "no-privileged-containers"
    title = "Containers do not run privileged"
    severity = "critical"
    enforcement_level = "hard-mandatory"
    category = "isolation"
    rationale = ("A privileged container has every capability and all host devices: it is root on the node, and "
                 "so on every other allocation there.")
    remediation = "Remove `privileged = true`; add only the specific capability the task needs (`cap_add`)."
    docs = """\
Container tasks (docker, podman, ...) must not set `privileged = true`.

Bad:
```hcl
config {
  image      = "example/agent:1.4.2"
  privileged = true
}
```

Good:
```hcl
config {
  image = "example/agent:1.4.2"
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for tpath, _group, task, config in walk.container_tasks(ctx.job):
            if walk.truthy(config.get("privileged")):
                yield Violation(f"task {task.get('Name')!r} runs a privileged container", tpath + ("Config",
                                                                                                    "privileged"))


_NAMESPACE_KEYS = ("network_mode", "pid_mode", "ipc_mode", "uts_mode", "userns_mode", "cgroupns")


class NoHostNamespaces(Rule):
    id = "no-host-namespaces"
    title = "Containers do not share the host's namespaces"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "isolation"
    rationale = ("Sharing the host's network, PID, IPC, UTS or user namespace lets a container see and signal host "
                 "processes, sniff or bind host interfaces, or escape user remapping.")
    remediation = ("Remove `network_mode/pid_mode/ipc_mode/uts_mode/userns_mode = \"host\"`; use a group "
                   "`network` block for ports.")
    docs = """\
Container tasks must not set `network_mode`, `pid_mode`, `ipc_mode`, `uts_mode`, `userns_mode` or `cgroupns` to
`host`.

Bad:
```hcl
config {
  image        = "example/exporter:2.1.0"
  network_mode = "host"
  pid_mode     = "host"
}
```

Good:
```hcl
config {
  image = "example/exporter:2.1.0"
  ports = ["metrics"]
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for tpath, _group, task, config in walk.container_tasks(ctx.job):
            for key in _NAMESPACE_KEYS:
                if str(config.get(key) or "").strip().lower() == "host":
                    yield Violation(f"task {task.get('Name')!r} uses the host's namespace ({key} = \"host\")",
                                    tpath + ("Config", key))


DANGEROUS_CAPS = ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME",
                  "DAC_READ_SEARCH", "BPF", "PERFMON", "MAC_ADMIN", "MAC_OVERRIDE", "SETFCAP", "LINUX_IMMUTABLE",
                  "NET_RAW", "SYSLOG"]


class NoDangerousCapabilities(Rule):
    id = "no-dangerous-capabilities"
    title = "Tasks do not add dangerous Linux capabilities"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "isolation"
    rationale = ("Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or SYS_MODULE are enough to escape a "
                 "container or to take over the node's network.")
    remediation = "Drop the capability from `cap_add`; if the task truly needs it, waive the rule with a reason."
    params_schema = params_object(denied=string_list("Capabilities that may not be added (without CAP_ prefix)."))
    default_params = {"denied": DANGEROUS_CAPS}
    docs = """\
`cap_add` (docker, podman, exec, exec2, java) must not contain a capability from `denied` (case-insensitive,
with or without the `CAP_` prefix; `ALL` is always denied when listed).

Bad:
```hcl
config {
  image   = "example/vpn:0.9.1"
  cap_add = ["NET_ADMIN", "SYS_ADMIN"]
}
```

Good:
```hcl
config {
  image   = "example/web:3.2.0"
  cap_add = ["NET_BIND_SERVICE"]
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        denied = {_cap(c) for c in self.effective_params(ctx).get("denied") or []}
        for tpath, _group, task in walk.tasks(ctx.job):
            config = walk.as_dict(task.get("Config"))
            for i, cap in enumerate(walk.as_list(config.get("cap_add"))):
                if isinstance(cap, str) and _cap(cap) in denied:
                    yield Violation(f"task {task.get('Name')!r} adds capability {_cap(cap)}",
                                    tpath + ("Config", "cap_add", i))


def _cap(name: str) -> str:
    name = name.strip().upper()
    return name[4:] if name.startswith("CAP_") else name


SENSITIVE_PATHS = ["/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/run", "/var/run", "/var/lib/docker",
                   "/var/lib/containerd", "/var/lib/kubelet", "/var/lib/nomad", "/etc/nomad.d", "/opt/nomad"]
SENSITIVE_PREFIXES = ["/etc/nomad.d", "/var/lib/docker", "/var/lib/containerd", "/root/.ssh", "/etc/ssh",
                      "/etc/sudoers.d", "/var/lib/nomad", "/opt/nomad/data", "/etc/kubernetes", "/proc/sys"]


def host_mounts(config: dict[str, Any], cpath: Path) -> Iterator[tuple[Path, str]]:
    """(path, host source) of bind mounts in a container config: ``volumes = ["src:dst"]``, ``mount {}`` blocks
    of type bind and the older ``mounts`` list. Relative sources are inside the task directory, not the host."""
    for i, vol in enumerate(walk.as_list(config.get("volumes"))):
        if isinstance(vol, str) and ":" in vol:
            yield cpath + ("volumes", i), vol.split(":", 1)[0]
    for key in ("mount", "mounts"):
        for i, m in enumerate(walk.as_list(config.get(key))):
            m = walk.as_dict(m)
            if str(m.get("type") or "volume").lower() == "bind" and isinstance(m.get("source"), str):
                yield cpath + (key, i, "source"), m["source"]


def is_sensitive(source: str, exact: set[str], prefixes: list[str]) -> bool:
    if not source.startswith("/") or "${" in source:
        return False
    norm = posixpath.normpath(source)
    norm = "/" if norm == "//" else norm
    if norm.endswith(".sock") or norm in exact:
        return True
    return any(norm == p or norm.startswith(p.rstrip("/") + "/") for p in prefixes)


class NoSensitiveHostMounts(Rule):
    id = "no-sensitive-host-mounts"
    title = "No container runtime sockets or sensitive host paths mounted"
    severity = "critical"
    enforcement_level = "hard-mandatory"
    category = "isolation"
    rationale = ("Mounting the Docker/containerd socket hands the task root on the node; mounting `/`, `/etc`, "
                 "`/proc`, `/sys` or Nomad's data directory exposes host credentials and other allocations.")
    remediation = ("Remove the bind mount; use a `host_volume` with a narrow, purpose-made directory, or a CSI "
                   "volume. Monitoring agents that need `/proc` should be waived explicitly with a reason.")
    params_schema = params_object(
        paths=string_list("Host paths that may not be mounted (exact match after normalisation).", pattern="^/"),
        path_prefixes=string_list("Host directories whose whole subtree may not be mounted.", pattern="^/"),
    )
    default_params = {"paths": SENSITIVE_PATHS, "path_prefixes": SENSITIVE_PREFIXES}
    docs = """\
Bind mounts in container config (`volumes = ["/host:/ctr"]`, `mount { type = "bind" source = ... }`) must not
use a unix socket (`*.sock`, e.g. `/var/run/docker.sock`), a path from `paths` (default `/`, `/etc`, `/proc`,
`/sys`, `/dev`, `/root`, `/run`, `/var/run`, ...) or anything under `path_prefixes` (Nomad's and Docker's data
directories, `/root/.ssh`, `/etc/ssh`, ...). Relative sources live in the task directory and are fine.
Group `volume` blocks of type `host` name a client-side host volume, whose path the operator controls; they are
not checked here.

Bad:
```hcl
config {
  image   = "example/ci-runner:5.0.0"
  volumes = ["/var/run/docker.sock:/var/run/docker.sock"]
}
```

Good:
```hcl
config {
  image   = "example/web:3.2.0"
  volumes = ["local/config.yml:/etc/app/config.yml"]
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        params = self.effective_params(ctx)
        exact = {posixpath.normpath(p) if p != "/" else "/" for p in params.get("paths") or []}
        prefixes = list(params.get("path_prefixes") or [])
        for tpath, _group, task, config in walk.container_tasks(ctx.job):
            for path, source in host_mounts(config, tpath + ("Config",)):
                if is_sensitive(source, exact, prefixes):
                    yield Violation(f"task {task.get('Name')!r} mounts sensitive host path {source}", path)


class ReadonlyRootfs(Rule):
    id = "readonly-rootfs"
    title = "Containers run with a read-only root filesystem"
    severity = "low"
    enforcement_level = "advisory"
    category = "isolation"
    rationale = ("A read-only root filesystem stops an intruder from replacing binaries or dropping tools into the "
                 "image; writable state belongs in the task's `local/`, `alloc/` or a volume.")
    remediation = "Set `readonly_rootfs = true` and write only to mounted directories."
    docs = """\
docker and podman tasks should set `readonly_rootfs = true`.

Bad:
```hcl
config { image = "example/web:3.2.0" }
```

Good:
```hcl
config {
  image           = "example/web:3.2.0"
  readonly_rootfs = true
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for tpath, _group, task, config in walk.container_tasks(ctx.job):
            if task.get("Driver") in ("docker", "podman") and not walk.truthy(config.get("readonly_rootfs")):
                yield Violation(f"task {task.get('Name')!r} has a writable root filesystem", tpath + ("Config",))


class NoRawExec(Rule):
    id = "no-raw-exec"
    title = "No raw_exec tasks"
    severity = "high"
    enforcement_level = "hard-mandatory"
    category = "isolation"
    rationale = ("`raw_exec` runs the command with the Nomad client's own privileges (often root) and no "
                 "isolation at all.")
    remediation = "Use the `exec`/`exec2` driver or a container driver."
    docs = """\
Tasks must not use the `raw_exec` driver.

Bad:
```hcl
task "backup" {
  driver = "raw_exec"
  config { command = "/usr/local/bin/backup.sh" }
}
```

Good:
```hcl
task "backup" {
  driver = "exec"
  config { command = "/usr/local/bin/backup.sh" }
}
```
"""

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        for tpath, _group, task in walk.tasks(ctx.job):
            if task.get("Driver") == "raw_exec":
                yield Violation(f"task {task.get('Name')!r} uses the raw_exec driver (no isolation)",
                                tpath + ("Driver",))
