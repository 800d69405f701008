"""Service rules: checks, ports, auto_revert, spreading instances, max_parallel."""

from __future__ import annotations

import pytest


def service(name="web", port="http", checks=None, connect=None):
    return {"Name": name, "PortLabel": port, "Checks": checks, "Connect": connect}


def http_check(port=""):
    return {"Name": "health", "Type": "http", "Path": "/health", "PortLabel": port}


def test_service_without_checks(run, job, group, task):
    group["Services"] = [service(checks=[http_check()])]
    task["Services"] = [service("worker", checks=None)]
    (v,) = run("service-checks-required", job)
    assert v.path == ("TaskGroups", 0, "Tasks", 0, "Services", 0) and "'worker'" in v.message


def test_gateway_needs_no_check(run, job, group):
    group["Services"] = [service("ingress", connect={"Gateway": {"Ingress": {}}})]
    assert run("service-checks-required", job) == []


def test_check_port_exists(run, job, group, task):
    group["Networks"][0]["ReservedPorts"] = [{"Label": "admin", "Value": 9000}]
    task["Resources"]["Networks"] = [{"DynamicPorts": [{"Label": "legacy"}]}]
    group["Services"] = [service(checks=[http_check("admin"), http_check("legacy"), http_check("9100"),
                                         http_check("healthz"), {"Name": "s", "Type": "script", "PortLabel": "x"}]),
                         service("typo", port="htpp")]
    out = run("check-port-exists", job)
    assert [v.path for v in out] == [("TaskGroups", 0, "Services", 0, "Checks", 3, "PortLabel"),
                                     ("TaskGroups", 0, "Services", 1, "PortLabel")]
    assert "'healthz'" in out[0].message and "'htpp'" in out[1].message


def test_check_port_exists_passes_for_declared_ports(run, job, group):
    group["Services"] = [service(checks=[http_check(), http_check("http")])]
    assert run("check-port-exists", job) == []


def test_auto_revert(run, job, group):
    group["Update"]["AutoRevert"] = False
    (v,) = run("deployment-auto-revert", job)
    assert v.path[-1] == "AutoRevert"
    group["Update"]["MaxParallel"] = 0  # deployments disabled
    assert run("deployment-auto-revert", job) == []
    job["Type"] = "batch"
    group["Update"]["MaxParallel"] = 1
    assert run("deployment-auto-revert", job) == []


def test_single_instance(run, job, group):
    group["Count"] = 1
    (v,) = run("service-instances-spread", job)
    assert "fewer than 2" in v.message
    assert run("service-instances-spread", job, {"min_count": 1}) == []


def test_replicas_without_spread(run, job, group):
    group["Count"] = 3
    group["Spreads"] = None
    (v,) = run("service-instances-spread", job)
    assert "may all land on one node" in v.message


@pytest.mark.parametrize("where", ["job", "group", "task"])
def test_distinct_hosts_counts_as_spread(run, job, group, task, where):
    group["Spreads"] = None
    holder = {"job": job, "group": group, "task": task}[where]
    holder["Constraints"] = [{"LTarget": "", "RTarget": "true", "Operand": "distinct_hosts"}]
    assert run("service-instances-spread", job) == []


def test_spread_rule_skips_batch_and_uses_scaling_min(run, job, group):
    group["Count"] = 1
    group["Scaling"] = {"Min": 2, "Max": 10}
    assert run("service-instances-spread", job) == []
    job["Type"] = "batch"
    group["Scaling"] = None
    assert run("service-instances-spread", job) == []


def test_max_parallel_within_count(run, job, group):
    group["Update"]["MaxParallel"] = 5
    (v,) = run("update-max-parallel-within-count", job)
    assert "max_parallel = 5 > count = 2" in v.message
    group["Count"] = 5
    assert run("update-max-parallel-within-count", job) == []


def test_max_parallel_ignored_for_system_jobs(run, job, group):
    job["Type"] = "system"
    group["Update"]["MaxParallel"] = 5
    assert run("update-max-parallel-within-count", job) == []
