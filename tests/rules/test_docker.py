"""Container isolation rules."""

from __future__ import annotations

import pytest


def test_privileged(run, job, task):
    task["Config"]["privileged"] = True
    out = run("no-privileged-containers", job)
    assert [v.path[-1] for v in out] == ["privileged"]
    task["Config"]["privileged"] = "false"
    assert run("no-privileged-containers", job) == []


def test_privileged_ignored_for_non_container_drivers(run, job, task):
    task["Driver"] = "exec"
    task["Config"] = {"command": "/bin/app", "privileged": True}
    assert run("no-privileged-containers", job) == []


@pytest.mark.parametrize("key", ["network_mode", "pid_mode", "ipc_mode", "uts_mode", "userns_mode"])
def test_host_namespaces(run, job, task, key):
    task["Config"][key] = "host"
    out = run("no-host-namespaces", job)
    assert len(out) == 1 and out[0].path[-1] == key


def test_non_host_namespaces_pass(run, job, task):
    task["Config"].update({"network_mode": "bridge", "ipc_mode": "private", "pid_mode": ""})
    assert run("no-host-namespaces", job) == []


def test_dangerous_capabilities(run, job, task):
    task["Config"]["cap_add"] = ["net_bind_service", "CAP_SYS_ADMIN", "all"]
    out = run("no-dangerous-capabilities", job)
    assert [v.path[-1] for v in out] == [1, 2]
    assert "SYS_ADMIN" in out[0].message


def test_capabilities_on_exec_and_custom_denied_list(run, job, task):
    task["Driver"] = "exec"
    task["Config"] = {"command": "/bin/vpn", "cap_add": ["NET_ADMIN", "NET_BIND_SERVICE"]}
    assert len(run("no-dangerous-capabilities", job)) == 1
    assert run("no-dangerous-capabilities", job, {"denied": ["SYS_ADMIN"]}) == []


@pytest.mark.parametrize("config,path", [
    ({"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]}, ("volumes", 0)),
    ({"volumes": ["local/app.yml:/etc/app.yml", "/etc:/host/etc:ro"]}, ("volumes", 1)),
    ({"volumes": ["//:/rootfs:ro"]}, ("volumes", 0)),
    ({"mount": [{"type": "bind", "source": "/proc", "target": "/host/proc", "readonly": True}]},
     ("mount", 0, "source")),
    ({"mount": [{"type": "bind", "source": "/opt/nomad/data/alloc", "target": "/allocs"}]}, ("mount", 0, "source")),
    ({"volumes": ["/run/containerd/containerd.sock:/c.sock"]}, ("volumes", 0)),
])
def test_sensitive_host_mounts(run, job, task, config, path):
    task["Config"].update(config)
    out = run("no-sensitive-host-mounts", job)
    assert [v.path[5:] for v in out] == [path]


def test_harmless_mounts_pass(run, job, task):
    task["Config"].update({
        "volumes": ["local/config.yml:/etc/app/config.yml", "/srv/data/web:/data", "named-vol:/cache",
                    "/etc/ssl/certs:/etc/ssl/certs:ro"],
        "mount": [{"type": "volume", "source": "/etc", "target": "/x"},
                  {"type": "tmpfs", "target": "/tmp"}],
    })
    assert run("no-sensitive-host-mounts", job) == []


def test_readonly_rootfs(run, job, task):
    del task["Config"]["readonly_rootfs"]
    assert len(run("readonly-rootfs", job)) == 1
    task["Driver"] = "exec"
    assert run("readonly-rootfs", job) == []


def test_raw_exec(run, job, task):
    task["Driver"] = "raw_exec"
    task["Config"] = {"command": "/usr/local/bin/backup.sh"}
    out = run("no-raw-exec", job)
    assert [v.path[-1] for v in out] == ["Driver"]
    task["Driver"] = "exec"
    assert run("no-raw-exec", job) == []
