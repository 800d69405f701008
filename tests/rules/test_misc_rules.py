"""Networking, scheduling, templates, metadata, logs and volume rules."""

from __future__ import annotations

import pytest

VAULT_TMPL = '{{ with secret "kv/data/db" }}{{ .Data.data.password }}{{ end }}'


def test_privileged_static_ports(run, job, group, task):
    group["Networks"][0]["ReservedPorts"] = [{"Label": "dns", "Value": 53}, {"Label": "app", "Value": 8080}]
    task["Resources"]["Networks"] = [{"ReservedPorts": [{"Label": "https", "Value": 443}]}]
    out = run("no-privileged-static-ports", job)
    assert [v.path for v in out] == [("TaskGroups", 0, "Networks", 0, "ReservedPorts", 0, "Value"),
                                     ("TaskGroups", 0, "Tasks", 0, "Resources", "Networks", 0, "ReservedPorts", 0,
                                      "Value")]
    assert len(run("no-privileged-static-ports", job, {"allowed_ports": [443]})) == 1


def test_wildcard_datacenters(run, job):
    job["Datacenters"] = ["dc1", "*"]
    (v,) = run("no-wildcard-datacenters", job)
    assert v.path == ("Datacenters", 1)
    job["Datacenters"] = ["dc-*"]
    assert run("no-wildcard-datacenters", job) == []
    job["Datacenters"] = None
    (v,) = run("no-wildcard-datacenters", job)
    assert "not set" in v.message


@pytest.mark.parametrize("ns,bad", [("default", True), ("", True), (None, True), ("payments", False)])
def test_default_namespace(run, job, ns, bad):
    job["Namespace"] = ns
    assert len(run("no-default-namespace", job)) == (1 if bad else 0)


def test_reschedule_bounded(run, job, group):
    policy = group["ReschedulePolicy"]
    policy.update({"DelayFunction": "constant", "Delay": 1_000_000_000})
    (v,) = run("reschedule-bounded", job)
    assert v.path[-1] == "DelayFunction"
    policy.update({"DelayFunction": "exponential", "Delay": 30_000_000_000, "MaxDelay": 60_000_000_000})
    assert len(run("reschedule-bounded", job)) == 1   # max_delay 1m < 5m
    policy["Unlimited"] = False
    assert run("reschedule-bounded", job) == []


def test_reschedule_unlimited_batch(run, job, group):
    job["Type"] = "batch"
    (v,) = run("reschedule-bounded", job)
    assert "batch" in v.message


def test_periodic_prohibit_overlap(run, job):
    job["Periodic"] = {"Enabled": True, "Spec": "@daily", "ProhibitOverlap": False}
    (v,) = run("periodic-prohibit-overlap", job)
    assert v.path == ("Periodic", "ProhibitOverlap")
    job["Periodic"]["ProhibitOverlap"] = True
    assert run("periodic-prohibit-overlap", job) == []


def test_secret_templates_in_secrets_dir(run, job, task):
    task["Templates"] = [
        {"EmbeddedTmpl": VAULT_TMPL, "DestPath": "local/db.txt", "Perms": "0400"},
        {"EmbeddedTmpl": VAULT_TMPL, "DestPath": "${NOMAD_SECRETS_DIR}/db.txt", "Perms": "0400"},
        {"EmbeddedTmpl": "port = {{ env \"NOMAD_PORT_http\" }}", "DestPath": "local/app.conf", "Perms": "0644"},
    ]
    out = run("secret-templates-in-secrets-dir", job)
    assert [v.path[-2:] for v in out] == [(0, "DestPath")]


def test_secret_templates_not_world_readable(run, job, task):
    task["Templates"] = [
        {"EmbeddedTmpl": '{{ with nomadVar "nomad/jobs/web" }}{{ .token }}{{ end }}', "DestPath": "secrets/t",
         "Perms": "0644"},
        {"EmbeddedTmpl": VAULT_TMPL, "DestPath": "secrets/db", "Perms": "0440"},
        {"EmbeddedTmpl": "plain", "DestPath": "local/plain", "Perms": "0666"},
    ]
    out = run("secret-templates-not-world-readable", job)
    assert [v.path[-2:] for v in out] == [(0, "Perms")]


def test_template_with_secret_only_in_a_comment_is_not_secret(run, job, task):
    task["Templates"] = [{"EmbeddedTmpl": '{{/* {{ with secret "kv/x" }} */}}plain', "DestPath": "local/x",
                          "Perms": "0644"}]
    assert run("secret-templates-in-secrets-dir", job) == []


def test_required_meta_keys(run, job, group):
    params = {"keys": ["owner", "runbook"]}
    (v,) = run("required-meta-keys", job, params)
    assert "'runbook'" in v.message
    group["Meta"] = {"runbook": "https://runbooks.example.com/web"}
    assert run("required-meta-keys", job, params) == []
    assert len(run("required-meta-keys", job, {**params, "allow_group_level": False})) == 1


def test_logs_enabled(run, job, task):
    task["LogConfig"]["Disabled"] = True
    (v,) = run("logs-enabled", job)
    assert v.path[-1] == "Disabled"
    task["LogConfig"].update({"Disabled": False, "Enabled": False})
    assert len(run("logs-enabled", job)) == 1
    task["LogConfig"]["Enabled"] = None
    assert run("logs-enabled", job) == []


def test_csi_single_writer(run, job, group):
    group["Volumes"] = {
        "shared": {"Name": "shared", "Type": "csi", "Source": "s", "AccessMode": "multi-node-multi-writer",
                   "ReadOnly": False},
        "ro": {"Name": "ro", "Type": "csi", "Source": "r", "AccessMode": "multi-node-multi-writer", "ReadOnly": True},
        "db": {"Name": "db", "Type": "csi", "Source": "d", "AccessMode": "single-node-writer", "ReadOnly": False},
        "host": {"Name": "host", "Type": "host", "Source": "h", "AccessMode": "", "ReadOnly": False},
    }
    (v,) = run("csi-single-writer", job)
    assert v.path == ("TaskGroups", 0, "Volumes", "shared", "AccessMode")
