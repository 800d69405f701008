"""Walking the canonical job: every rule needs the same few traversals, so they live here once.

Each iterator yields the API path of what it yields (PascalCase keys and list indices, as the source map uses)
together with the object, so a rule can report the exact place without rebuilding paths itself. All iterators are
defensive about ``None`` (the API job spells absent blocks as ``null``) and about wrong types (a rule must never
crash on a strange but loadable job).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jobguard.jobspec.sourcemap import Path

Obj = dict[str, Any]

# Drivers whose ``config`` is a container runtime configuration (image, privileged, volumes, cap_add, ...).
CONTAINER_DRIVERS = frozenset({"docker", "podman", "containerd-driver", "nerdctl"})


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def groups(job: Obj) -> Iterator[tuple[Path, Obj]]:
    for gi, group in enumerate(as_list(job.get("TaskGroups"))):
        if isinstance(group, dict):
            yield ("TaskGroups", gi), group


def tasks(job: Obj) -> Iterator[tuple[Path, Obj, Obj]]:
    """(path, group, task) for every task of every group."""
    for gpath, group in groups(job):
        for ti, task in enumerate(as_list(group.get("Tasks"))):
            if isinstance(task, dict):
                yield gpath + ("Tasks", ti), group, task


def container_tasks(job: Obj) -> Iterator[tuple[Path, Obj, Obj, Obj]]:
    """(path, group, task, config) for tasks run by a container driver (docker, podman, ...)."""
    for tpath, group, task in tasks(job):
        if task.get("Driver") in CONTAINER_DRIVERS:
            yield tpath, group, task, as_dict(task.get("Config"))


def services(job: Obj) -> Iterator[tuple[Path, Obj, Obj | None, Obj]]:
    """(path, group, task or None, service): group-level services first, then task-level ones."""
    for gpath, group in groups(job):
        for si, svc in enumerate(as_list(group.get("Services"))):
            if isinstance(svc, dict):
                yield gpath + ("Services", si), group, None, svc
        for ti, task in enumerate(as_list(group.get("Tasks"))):
            if not isinstance(task, dict):
                continue
            for si, svc in enumerate(as_list(task.get("Services"))):
                if isinstance(svc, dict):
                    yield gpath + ("Tasks", ti, "Services", si), group, task, svc


def checks(job: Obj) -> Iterator[tuple[Path, Obj, Obj | None, Obj, Obj]]:
    """(path, group, task or None, service, check) for every service check."""
    for spath, group, task, svc in services(job):
        for ci, check in enumerate(as_list(svc.get("Checks"))):
            if isinstance(check, dict):
                yield spath + ("Checks", ci), group, task, svc, check


def templates(job: Obj) -> Iterator[tuple[Path, Obj, Obj, Obj]]:
    """(path, group, task, template)."""
    for tpath, group, task in tasks(job):
        for i, tmpl in enumerate(as_list(task.get("Templates"))):
            if isinstance(tmpl, dict):
                yield tpath + ("Templates", i), group, task, tmpl


def artifacts(job: Obj) -> Iterator[tuple[Path, Obj, Obj, Obj]]:
    """(path, group, task, artifact)."""
    for tpath, group, task in tasks(job):
        for i, art in enumerate(as_list(task.get("Artifacts"))):
            if isinstance(art, dict):
                yield tpath + ("Artifacts", i), group, task, art


def metas(job: Obj) -> Iterator[tuple[Path, Obj]]:
    """(path of the Meta map, the map) at job, group and task level."""
    if isinstance(job.get("Meta"), dict):
        yield ("Meta",), job["Meta"]
    for gpath, group in groups(job):
        if isinstance(group.get("Meta"), dict):
            yield gpath + ("Meta",), group["Meta"]
    for tpath, _group, task in tasks(job):
        if isinstance(task.get("Meta"), dict):
            yield tpath + ("Meta",), task["Meta"]


def networks(group: Obj, gpath: Path) -> Iterator[tuple[Path, Obj]]:
    """Group networks, then the deprecated task-level ``resources { network }`` ones."""
    for ni, net in enumerate(as_list(group.get("Networks"))):
        if isinstance(net, dict):
            yield gpath + ("Networks", ni), net
    for ti, task in enumerate(as_list(group.get("Tasks"))):
        res = as_dict(as_dict(task).get("Resources"))
        for ni, net in enumerate(as_list(res.get("Networks"))):
            if isinstance(net, dict):
                yield gpath + ("Tasks", ti, "Resources", "Networks", ni), net


def ports(group: Obj, gpath: Path) -> Iterator[tuple[Path, Obj]]:
    """Every reserved (static) and dynamic port of a group (group networks and task networks)."""
    for npath, net in networks(group, gpath):
        for kind in ("ReservedPorts", "DynamicPorts"):
            for pi, port in enumerate(as_list(net.get(kind))):
                if isinstance(port, dict):
                    yield npath + (kind, pi), port


def port_labels(group: Obj, gpath: Path = ()) -> set[str]:
    return {str(p.get("Label")) for _, p in ports(group, gpath) if p.get("Label")}


def strings(value: Any, path: Path, key: str = "") -> Iterator[tuple[Path, str, str]]:
    """Every string leaf under ``value`` as (path, nearest map key, string); list items inherit their list's key."""
    if isinstance(value, str):
        yield path, key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, path + (k,), str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, path + (i,), key)


def task_vault(job: Obj, group: Obj, task: Obj) -> Obj | None:
    """The Vault block that applies to ``task``. The API job carries it on the task (HCL puts job/group-level
    ``vault`` blocks there); a ``Vault`` key on the group or job is honoured too for hand-written API JSON."""
    for holder in (task, group, job):
        vault = holder.get("Vault")
        if isinstance(vault, dict):
            return vault
    return None


def is_service_job(job: Obj) -> bool:
    return (job.get("Type") or "service") == "service"


def truthy(value: Any) -> bool:
    """Driver configs come from HCL or JSON: ``true``, ``"true"`` and ``1`` all mean true to the driver."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value) and value is not None
