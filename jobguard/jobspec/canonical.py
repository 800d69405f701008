"""``Job.Canonicalize()`` of Nomad's api package (2.0.x), applied to a job dict as ``nomad job run -output`` prints it.

Why: policies must see what Nomad will actually run -- a group without ``restart`` still restarts twice in 30
minutes (service) or three times a day (batch). The defaults below are the api package's; the order of operations
matters (the job's ``update`` is canonicalised before groups inherit it, a task's restart policy is merged onto its
group's after the group's was defaulted), so the functions mirror the Go methods one to one.

``None`` plays Go's ``nil``. The input is never modified; :func:`canonicalize` works on a completed copy (new
dicts and lists throughout).
"""

from __future__ import annotations

import posixpath
from typing import Any

from jobguard.jobspec.apimodel import complete

SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

Obj = dict[str, Any]


def canonicalize(job: Obj) -> Obj:
    """A new job dict with the api package's ``Job.Canonicalize()`` defaults filled in."""
    j = complete(job, "Job")  # new dicts and lists throughout: ``job`` is never changed nor shared
    _job(j)
    return j


# ---- small helpers -------------------------------------------------------------------------------------------------

def _default(obj: Obj, key: str, value: Any) -> None:
    """Go's ``if x == nil { x = pointerOf(value) }``."""
    if obj.get(key) is None:
        obj[key] = value


def _default_zero(obj: Obj, key: str, value: Any) -> None:
    """Go's ``if x == "" { x = value }`` / ``if x == 0 { ... }`` for value-typed fields."""
    if not obj.get(key):
        obj[key] = value


def _nil_if_empty(obj: Obj, *keys: str) -> None:
    """Go's ``if len(x) == 0 { x = nil }``."""
    for key in keys:
        if not obj.get(key):
            obj[key] = None


def _merge(base: Obj, override: Obj | None) -> Obj:
    """Go's ``Merge``: fields set (non-nil) in ``override`` win. Returns a new dict."""
    out = dict(base)
    for key, value in (override or {}).items():
        if value is not None:
            out[key] = value
    return out


def _each(items: list | dict | None):
    if isinstance(items, dict):
        return [v for v in items.values() if v is not None]
    return [v for v in (items or []) if v is not None]


# ---- defaults (api package) ----------------------------------------------------------------------------------------

def default_update_strategy() -> Obj:
    return {"Stagger": 30 * SECOND, "MaxParallel": 1, "HealthCheck": "checks", "MinHealthyTime": 10 * SECOND,
            "HealthyDeadline": 5 * MINUTE, "ProgressDeadline": 10 * MINUTE, "Canary": 0, "AutoRevert": False,
            "AutoPromote": False}


def default_restart_policy(job_type: str) -> Obj:
    """service/system: 2 attempts in 30m; everything else (batch, sysbatch): 3 attempts in 24h. Mode "fail"."""
    if job_type in ("service", "system"):
        return {"Interval": 30 * MINUTE, "Attempts": 2, "Delay": 15 * SECOND, "Mode": "fail",
                "RenderTemplates": False}
    return {"Interval": 24 * HOUR, "Attempts": 3, "Delay": 15 * SECOND, "Mode": "fail", "RenderTemplates": False}


def default_reschedule_policy(job_type: str) -> Obj:
    """service: unlimited exponential from 30s up to 1h; batch: once a day after 5s; others: none."""
    if job_type == "service":
        return {"Attempts": 0, "Interval": 0, "Delay": 30 * SECOND, "DelayFunction": "exponential",
                "MaxDelay": HOUR, "Unlimited": True}
    if job_type == "batch":
        return {"Attempts": 1, "Interval": 24 * HOUR, "Delay": 5 * SECOND, "DelayFunction": "constant",
                "MaxDelay": 0, "Unlimited": False}
    return {"Attempts": 0, "Interval": 0, "Delay": 0, "DelayFunction": "", "MaxDelay": 0, "Unlimited": False}


def default_migrate_strategy() -> Obj:
    return {"MaxParallel": 1, "HealthCheck": "checks", "MinHealthyTime": 10 * SECOND, "HealthyDeadline": 5 * MINUTE}


def default_log_config() -> Obj:
    return complete({"MaxFiles": 10, "MaxFileSizeMB": 10, "Disabled": False}, "LogConfig")


# ---- Job -----------------------------------------------------------------------------------------------------------

_JOB_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("ParentID", ""), ("Namespace", "default"), ("Priority", 50), ("Stop", False), ("Region", "global"),
    ("NodePool", ""), ("Type", "service"), ("AllAtOnce", False), ("ConsulNamespace", ""), ("VaultNamespace", ""),
    ("NomadTokenID", ""), ("Status", ""), ("StatusDescription", ""), ("Stable", False), ("Version", 0),
    ("CreateIndex", 0), ("ModifyIndex", 0), ("JobModifyIndex", 0),
)


def _job(j: Obj) -> None:
    _default(j, "ID", "")
    _default(j, "Name", j["ID"])
    for key, value in _JOB_DEFAULTS:
        _default(j, key, value)
    if j.get("Periodic") is not None:
        _periodic(j["Periodic"])
    if j.get("Update") is not None:
        _update(j["Update"])
    elif j["Type"] in ("service", "system"):
        j["Update"] = default_update_strategy()
    if j.get("Multiregion") is not None:
        _multiregion(j["Multiregion"])
    for tg in _each(j.get("TaskGroups")):
        _task_group(tg, j)
    for spread in _each(j.get("Spreads")):
        _default(spread, "Weight", 50)
    for affinity in _each(j.get("Affinities")):
        _default(affinity, "Weight", 50)


def _periodic(p: Obj) -> None:
    _default(p, "Enabled", True)
    _default(p, "Spec", "")
    _default(p, "Specs", [])
    _default(p, "SpecType", "cron")
    _default(p, "ProhibitOverlap", False)
    _default_zero(p, "TimeZone", "UTC")


def _update(u: Obj) -> None:
    for key, value in default_update_strategy().items():
        _default(u, key, value)


def _update_is_empty(u: Obj | None) -> bool:
    """``UpdateStrategy.Empty()``: nothing set to a non-zero value."""
    return u is None or not any(u.get(k) for k in default_update_strategy())


def _multiregion(m: Obj) -> None:
    if m.get("Strategy") is None:
        m["Strategy"] = {"MaxParallel": 0, "OnFailure": ""}
    else:
        _default(m["Strategy"], "MaxParallel", 0)
        _default(m["Strategy"], "OnFailure", "")
    _default(m, "Regions", [])
    for region in _each(m["Regions"]):
        _default(region, "Count", 1)
        _default(region, "Datacenters", [])
        _default(region, "Meta", {})


# ---- TaskGroup -----------------------------------------------------------------------------------------------------

def _task_group(g: Obj, job: Obj) -> None:
    job_type = job["Type"]
    _default(g, "Name", "")
    if g.get("Count") is None:
        scaling_min = (g.get("Scaling") or {}).get("Min")
        g["Count"] = int(scaling_min) if scaling_min is not None else 1
    if g.get("Scaling") is not None:
        _scaling_policy(g["Scaling"], g["Count"])
    g["EphemeralDisk"] = _merge({"Sticky": False, "Migrate": False, "SizeMB": 300}, g.get("EphemeralDisk"))
    if g.get("Consul") is not None:
        _consul(g["Consul"], inherit_namespace=job.get("ConsulNamespace"))

    job_update = job.get("Update")
    if job_update is not None and g.get("Update") is not None:
        g["Update"] = _merge(job_update, g["Update"])
    elif job_update is not None and not _update_is_empty(job_update):
        g["Update"] = dict(job_update)
    if g.get("Update") is not None:
        _update(g["Update"])

    job_reschedule = job.get("Reschedule")
    if job_reschedule is not None:
        g["ReschedulePolicy"] = _merge(job_reschedule, g.get("ReschedulePolicy"))
    if g.get("ReschedulePolicy") is None and job_type not in ("system", "sysbatch"):
        g["ReschedulePolicy"] = default_reschedule_policy(job_type)
    if g.get("ReschedulePolicy") is not None:
        g["ReschedulePolicy"] = _merge(default_reschedule_policy(job_type), g["ReschedulePolicy"])

    job_migrate = job.get("Migrate")
    if job_migrate is not None:
        g["Migrate"] = _merge(job_migrate, g.get("Migrate"))
    if g.get("Migrate") is None and job_type == "service":
        g["Migrate"] = {}
    if g.get("Migrate") is not None:
        g["Migrate"] = _merge(default_migrate_strategy(), g["Migrate"])

    g["RestartPolicy"] = _merge(default_restart_policy(job_type), g.get("RestartPolicy"))

    for task in _each(g.get("Tasks")):
        _task(task, g, job)
    for spread in _each(g.get("Spreads")):
        _default(spread, "Weight", 50)
    for affinity in _each(g.get("Affinities")):
        _default(affinity, "Weight", 50)
    for service in _each(g.get("Services")):
        _service(service, None, g, job)
    if g.get("Disconnect") is not None:
        _default(g["Disconnect"], "Replace", True)
        _default(g["Disconnect"], "Reconcile", "best_score")


def _scaling_policy(p: Obj, count: int) -> None:
    _default(p, "Enabled", True)
    _default(p, "Min", count)
    _default_zero(p, "Type", "horizontal")


def _consul(c: Obj, inherit_namespace: str | None = None) -> None:
    if not c.get("Namespace") and inherit_namespace is not None:
        c["Namespace"] = inherit_namespace
    _default_zero(c, "Cluster", "default")


# ---- Task ----------------------------------------------------------------------------------------------------------

def _task(t: Obj, g: Obj, job: Obj) -> None:
    if t.get("Resources") is None:
        t["Resources"] = complete({}, "Resources")
    _resources(t["Resources"])
    _default(t, "KillTimeout", 5 * SECOND)
    t["LogConfig"] = _log_config(t.get("LogConfig"))
    for artifact in _each(t.get("Artifacts")):
        _artifact(artifact)
    if t.get("Vault") is not None:
        _vault(t["Vault"])
    if t.get("Consul") is not None:
        _consul(t["Consul"])
    for template in _each(t.get("Templates")):
        _template(template)
    for secret in _each(t.get("Secrets")):
        _nil_if_empty(secret, "Config", "Env")
    for service in _each(t.get("Services")):
        _service(service, t, g, job)
    for affinity in _each(t.get("Affinities")):
        _default(affinity, "Weight", 50)
    for mount in _each(t.get("VolumeMounts")):
        _volume_mount(mount)
    if t.get("Lifecycle") is not None and not t["Lifecycle"].get("Hook"):
        t["Lifecycle"] = None
    if t.get("CSIPluginConfig") is not None:
        plugin = t["CSIPluginConfig"]
        _default_zero(plugin, "MountDir", "/csi")
        _default_zero(plugin, "StagePublishBaseDir", "/local/csi")
        _default_zero(plugin, "HealthTimeout", 30 * SECOND)
    t["RestartPolicy"] = _merge(g["RestartPolicy"], t.get("RestartPolicy"))


def _resources(r: Obj) -> None:
    """Defaults: 100 MHz CPU (0 when cores are reserved instead), 300 MB memory, no cores."""
    cores_given = r.get("Cores") is not None
    _default(r, "Cores", 0)
    _default(r, "CPU", 0 if cores_given else 100)
    _default(r, "MemoryMB", 300)
    for device in _each(r.get("Devices")):
        _default(device, "Count", 1)
        for affinity in _each(device.get("Affinities")):
            _default(affinity, "Weight", 50)
    if r.get("NUMA") is not None:
        _default_zero(r["NUMA"], "Affinity", "none")
        _nil_if_empty(r["NUMA"], "Devices")


def _log_config(lc: Obj | None) -> Obj:
    if lc is None:
        return default_log_config()
    out = dict(lc)
    _default(out, "MaxFiles", 10)
    _default(out, "MaxFileSizeMB", 10)
    _default(out, "Disabled", False)
    return out


def _artifact(a: Obj) -> None:
    _default(a, "GetterMode", "any")
    _default(a, "GetterInsecure", False)
    _default(a, "GetterSource", "")
    _nil_if_empty(a, "GetterOptions", "GetterHeaders")
    if a.get("RelativeDest") is None:
        if a["GetterMode"] == "file":
            a["RelativeDest"] = posixpath.join("local", posixpath.basename(a["GetterSource"].rstrip("/")) or "/")
        else:
            a["RelativeDest"] = "local/"


def _vault(v: Obj) -> None:
    _default(v, "Env", True)
    _default(v, "DisableFile", False)
    _default(v, "Namespace", "")
    _default_zero(v, "Cluster", "default")
    _default(v, "ChangeMode", "restart")
    _default(v, "ChangeSignal", "SIGHUP")
    _default(v, "AllowTokenExpiration", False)


def _template(t: Obj) -> None:
    _default(t, "SourcePath", "")
    _default(t, "DestPath", "")
    _default(t, "EmbeddedTmpl", "")
    _default(t, "ChangeMode", "restart")
    if t.get("ChangeSignal") is None:
        t["ChangeSignal"] = "SIGHUP" if t["ChangeMode"] == "signal" else ""
    else:
        t["ChangeSignal"] = t["ChangeSignal"].upper()
    if t.get("ChangeScript") is not None:
        script = t["ChangeScript"]
        _default(script, "Command", "")
        _default(script, "Args", [])
        _default(script, "Timeout", 5 * SECOND)
        _default(script, "FailOnError", False)
    _default(t, "Once", False)
    _default(t, "Splay", 5 * SECOND)
    _default(t, "Perms", "0644")
    _default(t, "LeftDelim", "{{")
    _default(t, "RightDelim", "}}")
    _default(t, "Envvars", False)
    _default(t, "ErrMissingKey", False)
    _default(t, "VaultGrace", 0)


def _volume_mount(vm: Obj) -> None:
    _default(vm, "PropagationMode", "private")
    _default(vm, "ReadOnly", False)
    _default(vm, "SELinuxLabel", "")


# ---- Services ------------------------------------------------------------------------------------------------------

def _service(s: Obj, task: Obj | None, g: Obj, job: Obj) -> None:
    """Group services (``task`` None) are named ``<job>-<group>``, task services ``<job>-<group>-<task>``."""
    if not s.get("Name"):
        parts = [job["Name"], g["Name"]] + ([task["Name"]] if task is not None else [])
        s["Name"] = "-".join(parts)
    _default_zero(s, "AddressMode", "auto")
    _default_zero(s, "OnUpdate", "require_healthy")
    _default_zero(s, "Provider", "consul")
    _default_zero(s, "Cluster", "default")
    _nil_if_empty(s, "Meta", "CanaryMeta", "TaggedAddresses")
    if s.get("Connect") is not None:
        _connect(s["Connect"])
    if s.get("Weights") is not None:
        weights = s["Weights"]
        for key in ("Passing", "Warning"):
            if (weights.get(key) or 0) <= 0:
                weights[key] = 1
    for check in _each(s.get("Checks")):
        check["CheckRestart"] = _merge_check_restart(s.get("CheckRestart"), check.get("CheckRestart"))
        if check["CheckRestart"] is not None:
            _default(check["CheckRestart"], "Grace", SECOND)
        for key in ("SuccessBeforePassing", "FailuresBeforeCritical", "FailuresBeforeWarning"):
            if (check.get(key) or 0) < 0:
                check[key] = 0
        _default_zero(check, "OnUpdate", s["OnUpdate"])


def _merge_check_restart(service_level: Obj | None, check_level: Obj | None) -> Obj | None:
    """``CheckRestart.Merge``: the service's settings, overridden by the check's non-zero ones."""
    if service_level is None:
        return None if check_level is None else dict(check_level)
    out = dict(service_level)
    if check_level is None:
        return out
    if (check_level.get("Limit") or 0) > 0:
        out["Limit"] = check_level["Limit"]
    if check_level.get("Grace") is not None:
        out["Grace"] = check_level["Grace"]
    if check_level.get("IgnoreWarnings"):
        out["IgnoreWarnings"] = True
    return out


def _connect(c: Obj) -> None:
    sidecar = c.get("SidecarService")
    if sidecar is not None:
        _nil_if_empty(sidecar, "Tags", "Meta")
        if sidecar.get("Proxy") is not None:
            _proxy(sidecar["Proxy"])
    if c.get("SidecarTask") is not None:
        _sidecar_task(c["SidecarTask"])
    gateway = c.get("Gateway")
    if gateway is not None:
        _gateway(gateway)


def _proxy(p: Obj) -> None:
    if p.get("Expose") is not None:
        _nil_if_empty(p["Expose"], "Paths", "Path")
    _nil_if_empty(p, "Upstreams")
    tproxy = p.get("TransparentProxy")
    if tproxy is not None:
        _nil_if_empty(tproxy, "ExcludeInboundPorts", "ExcludeOutboundCIDRs", "ExcludeOutboundPorts", "ExcludeUIDs")
    for upstream in _each(p.get("Upstreams")):
        _nil_if_empty(upstream, "Config")
    _nil_if_empty(p, "Config")


def _sidecar_task(st: Obj) -> None:
    _nil_if_empty(st, "Config", "Env")
    if st.get("Resources") is None:
        st["Resources"] = complete({}, "Resources")
    _resources(st["Resources"])
    st["LogConfig"] = _log_config(st.get("LogConfig"))
    _nil_if_empty(st, "Meta")
    _default(st, "KillTimeout", 5 * SECOND)
    _default(st, "ShutdownDelay", 0)
    for mount in _each(st.get("VolumeMounts")):
        _volume_mount(mount)


def _gateway(g: Obj) -> None:
    proxy = g.get("Proxy")
    if proxy is not None:
        _default(proxy, "ConnectTimeout", 5 * SECOND)
        _nil_if_empty(proxy, "EnvoyGatewayBindAddresses", "Config")
    ingress = g.get("Ingress")
    if ingress is not None:
        _nil_if_empty(ingress, "Listeners")
        for listener in _each(ingress.get("Listeners")):
            _default_zero(listener, "Protocol", "tcp")
            _nil_if_empty(listener, "Services")
    terminating = g.get("Terminating")
    if terminating is not None:
        _nil_if_empty(terminating, "Services")


__all__ = [
    "canonicalize",
    "default_log_config",
    "default_migrate_strategy",
    "default_reschedule_policy",
    "default_restart_policy",
    "default_update_strategy",
]
