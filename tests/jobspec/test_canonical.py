"""Tests for canonicalize(): the api package's Job.Canonicalize() defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobguard.jobspec import canonicalize
from jobguard.jobspec.apimodel import complete

S = 1_000_000_000
MIN = 60 * S
H = 60 * MIN
CORPUS = Path("/work/shared/corpus")


def _job(**fields) -> dict:
    base = {"ID": "j", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Driver": "docker"}]}]}
    base.update(fields)
    return complete(base)


def _group(job: dict, index: int = 0) -> dict:
    return job["TaskGroups"][index]


def _task(job: dict) -> dict:
    return job["TaskGroups"][0]["Tasks"][0]


def test_input_not_modified():
    job = _job()
    snapshot = json.dumps(job)
    canonicalize(job)
    assert json.dumps(job) == snapshot


def test_job_defaults():
    c = canonicalize(complete({"ID": "j"}))
    assert c["Name"] == "j"
    assert c["Region"] == "global"
    assert c["Namespace"] == "default"
    assert c["Priority"] == 50
    assert c["Type"] == "service"
    assert c["NodePool"] == ""
    assert c["AllAtOnce"] is False and c["Stop"] is False and c["Stable"] is False
    assert c["Version"] == 0 and c["JobModifyIndex"] == 0
    assert c["Datacenters"] is None  # not defaulted by the api package
    assert c["SubmitTime"] is None


@pytest.mark.parametrize("job_type,interval,attempts", [
    ("service", 30 * MIN, 2), ("system", 30 * MIN, 2), ("batch", 24 * H, 3), ("sysbatch", 24 * H, 3),
])
def test_restart_policy_by_type(job_type, interval, attempts):
    c = canonicalize(_job(Type=job_type))
    expected = {"Interval": interval, "Attempts": attempts, "Delay": 15 * S, "Mode": "fail",
                "RenderTemplates": False}
    assert _group(c)["RestartPolicy"] == expected
    assert _task(c)["RestartPolicy"] == expected


def test_restart_policy_merges_group_then_task():
    job = _job()
    _group(job)["RestartPolicy"] = complete({"Attempts": 5}, "RestartPolicy")
    _task(job)["RestartPolicy"] = complete({"Mode": "delay"}, "RestartPolicy")
    c = canonicalize(job)
    assert _group(c)["RestartPolicy"]["Attempts"] == 5
    assert _group(c)["RestartPolicy"]["Mode"] == "fail"
    assert _task(c)["RestartPolicy"] == {"Interval": 30 * MIN, "Attempts": 5, "Delay": 15 * S, "Mode": "delay",
                                         "RenderTemplates": False}


@pytest.mark.parametrize("job_type,expected", [
    ("service", {"Attempts": 0, "Interval": 0, "Delay": 30 * S, "DelayFunction": "exponential", "MaxDelay": H,
                 "Unlimited": True}),
    ("batch", {"Attempts": 1, "Interval": 24 * H, "Delay": 5 * S, "DelayFunction": "constant", "MaxDelay": 0,
               "Unlimited": False}),
    ("system", None),
    ("sysbatch", None),
])
def test_reschedule_policy_by_type(job_type, expected):
    assert _group(canonicalize(_job(Type=job_type)))["ReschedulePolicy"] == expected


def test_reschedule_merged_from_job():
    job = _job(Type="batch", Reschedule=complete({"Attempts": 4, "Delay": 9 * S}, "ReschedulePolicy"))
    _group(job)["ReschedulePolicy"] = complete({"Delay": 7 * S}, "ReschedulePolicy")
    policy = _group(canonicalize(job))["ReschedulePolicy"]
    assert policy["Attempts"] == 4 and policy["Delay"] == 7 * S and policy["DelayFunction"] == "constant"


def test_update_defaults_service_and_system_only():
    c = canonicalize(_job())
    default = {"Stagger": 30 * S, "MaxParallel": 1, "HealthCheck": "checks", "MinHealthyTime": 10 * S,
               "HealthyDeadline": 5 * MIN, "ProgressDeadline": 10 * MIN, "Canary": 0, "AutoRevert": False,
               "AutoPromote": False}
    assert c["Update"] == default
    assert _group(c)["Update"] == default
    assert canonicalize(_job(Type="system"))["Update"] == default
    batch = canonicalize(_job(Type="batch"))
    assert batch["Update"] is None and _group(batch)["Update"] is None


def test_update_group_merged_onto_job():
    job = _job(Update=complete({"MaxParallel": 3, "AutoRevert": True}, "UpdateStrategy"))
    job["TaskGroups"].append(complete({"Name": "h", "Update": {"Canary": 2, "MaxParallel": 1}}, "TaskGroup"))
    c = canonicalize(job)
    assert _group(c, 0)["Update"]["MaxParallel"] == 3 and _group(c, 0)["Update"]["AutoRevert"] is True
    assert _group(c, 1)["Update"]["Canary"] == 2 and _group(c, 1)["Update"]["MaxParallel"] == 1
    assert _group(c, 1)["Update"]["AutoRevert"] is True


def test_migrate_and_ephemeral_disk():
    c = canonicalize(_job())
    assert _group(c)["Migrate"] == {"MaxParallel": 1, "HealthCheck": "checks", "MinHealthyTime": 10 * S,
                                    "HealthyDeadline": 5 * MIN}
    assert _group(c)["EphemeralDisk"] == {"Sticky": False, "Migrate": False, "SizeMB": 300}
    assert _group(canonicalize(_job(Type="batch")))["Migrate"] is None


def test_count_from_scaling_min_and_scaling_defaults():
    job = _job()
    _group(job)["Scaling"] = complete({"Max": 10, "Min": 3}, "ScalingPolicy")
    group = _group(canonicalize(job))
    assert group["Count"] == 3
    assert group["Scaling"]["Enabled"] is True
    assert _group(canonicalize(_job()))["Count"] == 1


def test_task_defaults():
    t = _task(canonicalize(_job()))
    assert t["Resources"]["CPU"] == 100 and t["Resources"]["MemoryMB"] == 300 and t["Resources"]["Cores"] == 0
    assert t["Resources"]["MemoryMaxMB"] is None
    assert t["KillTimeout"] == 5 * S
    assert t["LogConfig"] == {"MaxFiles": 10, "MaxFileSizeMB": 10, "Enabled": None, "Disabled": False}


def test_cores_replace_cpu_default():
    job = _job()
    _task(job)["Resources"] = complete({"Cores": 2}, "Resources")
    assert _task(canonicalize(job))["Resources"]["CPU"] == 0


def test_lifecycle_without_hook_dropped():
    job = _job()
    _task(job)["Lifecycle"] = {"Hook": "", "Sidecar": True}
    assert _task(canonicalize(job))["Lifecycle"] is None


def test_template_defaults():
    job = _job()
    _task(job)["Templates"] = [complete({"DestPath": "local/a", "ChangeMode": "signal"}, "Template"),
                               complete({"ChangeSignal": "sigusr1"}, "Template")]
    first, second = _task(canonicalize(job))["Templates"]
    assert first["ChangeSignal"] == "SIGHUP"
    assert second["ChangeSignal"] == "SIGUSR1" and second["ChangeMode"] == "restart"
    assert first["Splay"] == 5 * S and first["Perms"] == "0644"
    assert (first["LeftDelim"], first["RightDelim"]) == ("{{", "}}")
    assert first["Once"] is False and first["VaultGrace"] == 0 and first["SourcePath"] == ""


def test_artifact_destination_defaults():
    job = _job()
    _task(job)["Artifacts"] = [complete({"GetterSource": "https://x/y/app.tgz"}, "TaskArtifact"),
                               complete({"GetterSource": "https://x/y/app.bin", "GetterMode": "file"},
                                        "TaskArtifact")]
    first, second = _task(canonicalize(job))["Artifacts"]
    assert first["RelativeDest"] == "local/" and first["GetterMode"] == "any" and first["GetterInsecure"] is False
    assert second["RelativeDest"] == "local/app.bin"


def test_vault_and_volume_mount_defaults():
    job = _job()
    _task(job)["Vault"] = complete({"Policies": ["p"]}, "Vault")
    _task(job)["VolumeMounts"] = [complete({"Volume": "v", "Destination": "/d"}, "VolumeMount")]
    t = _task(canonicalize(job))
    assert t["Vault"]["Env"] is True and t["Vault"]["ChangeMode"] == "restart"
    assert t["Vault"]["ChangeSignal"] == "SIGHUP" and t["Vault"]["Cluster"] == "default"
    assert t["VolumeMounts"][0] == {"Volume": "v", "Destination": "/d", "ReadOnly": False,
                                    "PropagationMode": "private", "SELinuxLabel": ""}


def test_service_defaults_and_check_inheritance():
    job = _job()
    _group(job)["Services"] = [complete({
        "CheckRestart": {"Limit": 3},
        "OnUpdate": "ignore_warnings",
        "Checks": [{"Type": "http", "CheckRestart": {"Grace": 9 * S}}, {"Type": "tcp", "OnUpdate": "ignore"}],
    }, "Service")]
    _task(job)["Services"] = [complete({"Name": "", "PortLabel": "http"}, "Service")]
    c = canonicalize(job)
    group_service = _group(c)["Services"][0]
    assert group_service["Name"] == "j-g"
    assert group_service["AddressMode"] == "auto" and group_service["Provider"] == "consul"
    assert group_service["Cluster"] == "default"
    first, second = group_service["Checks"]
    assert first["CheckRestart"] == {"Limit": 3, "Grace": 9 * S, "IgnoreWarnings": False}
    assert first["OnUpdate"] == "ignore_warnings"
    assert second["CheckRestart"] == {"Limit": 3, "Grace": S, "IgnoreWarnings": False}
    assert second["OnUpdate"] == "ignore"
    task_service = _task(c)["Services"][0]
    assert task_service["Name"] == "j-g-t" and task_service["OnUpdate"] == "require_healthy"


def test_connect_sidecar_defaults():
    job = _job()
    _group(job)["Services"] = [complete({"Name": "api", "Connect": {
        "SidecarService": {"Tags": [], "Proxy": {"Upstreams": [], "Config": {}}},
        "SidecarTask": {"Env": {}},
    }}, "Service")]
    connect = _group(canonicalize(job))["Services"][0]["Connect"]
    assert connect["SidecarService"]["Tags"] is None
    assert connect["SidecarService"]["Proxy"]["Upstreams"] is None
    assert connect["SidecarService"]["Proxy"]["Config"] is None
    sidecar_task = connect["SidecarTask"]
    assert sidecar_task["Env"] is None
    assert sidecar_task["Resources"]["CPU"] == 100 and sidecar_task["Resources"]["MemoryMB"] == 300
    assert sidecar_task["KillTimeout"] == 5 * S and sidecar_task["ShutdownDelay"] == 0
    assert sidecar_task["LogConfig"]["MaxFiles"] == 10


def test_gateway_defaults():
    job = _job()
    _group(job)["Services"] = [complete({"Name": "gw", "Connect": {"Gateway": {
        "Proxy": {}, "Ingress": {"Listeners": [{"Port": 8080, "Services": [{"Name": "a"}]}]},
    }}}, "Service")]
    gateway = _group(canonicalize(job))["Services"][0]["Connect"]["Gateway"]
    assert gateway["Proxy"]["ConnectTimeout"] == 5 * S
    assert gateway["Ingress"]["Listeners"][0]["Protocol"] == "tcp"


def test_periodic_multiregion_spread_affinity_disconnect():
    job = _job(Periodic=complete({"Specs": ["@daily"]}, "PeriodicConfig"),
               Multiregion=complete({"Regions": [{"Name": "east"}]}, "Multiregion"),
               Spreads=[complete({"Attribute": "${node.datacenter}"}, "Spread")],
               Affinities=[complete({"LTarget": "a", "RTarget": "b", "Operand": "="}, "Affinity")])
    _group(job)["Disconnect"] = complete({"LostAfter": MIN}, "DisconnectStrategy")
    c = canonicalize(job)
    assert c["Periodic"]["Enabled"] is True and c["Periodic"]["TimeZone"] == "UTC"
    assert c["Periodic"]["SpecType"] == "cron" and c["Periodic"]["Spec"] == ""
    assert c["Multiregion"]["Strategy"] == {"MaxParallel": 0, "OnFailure": ""}
    assert c["Multiregion"]["Regions"][0]["Count"] == 1 and c["Multiregion"]["Regions"][0]["Meta"] == {}
    assert c["Spreads"][0]["Weight"] == 50 and c["Affinities"][0]["Weight"] == 50
    assert _group(c)["Disconnect"] == {"LostAfter": MIN, "StopOnClientAfter": None, "Replace": True,
                                       "Reconcile": "best_score"}


def test_csi_plugin_defaults():
    job = _job()
    _task(job)["CSIPluginConfig"] = complete({"ID": "p", "Type": "node"}, "TaskCSIPluginConfig")
    plugin = _task(canonicalize(job))["CSIPluginConfig"]
    assert (plugin["MountDir"], plugin["StagePublishBaseDir"], plugin["HealthTimeout"]) == ("/csi", "/local/csi",
                                                                                            30 * S)


@pytest.mark.skipif(not (CORPUS / "expected-canonical").is_dir(), reason="measurement corpus not available")
def test_corpus_canonical_agreement():
    """Measurement: canonicalize(expected) == expected-canonical for >= 99% of the corpus (random uuid() jobs
    differ between the two Nomad runs and can never match)."""
    files = sorted((CORPUS / "expected").rglob("*.json"))
    matches = 0
    for path in files:
        canonical_path = CORPUS / "expected-canonical" / path.relative_to(CORPUS / "expected")
        got = canonicalize(json.loads(path.read_text())["Job"])
        matches += json.dumps(got) == json.dumps(json.loads(canonical_path.read_text())["Job"])
    assert matches / len(files) >= 0.99, f"{matches}/{len(files)}"
