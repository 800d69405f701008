"""The watcher inside ``jobguard serve`` (an ``audit { }`` block): it audits the cluster behind the proxy with the
proxy's engine, exposes its metrics on ``/v1/jobguard/metrics``, follows changes (also those admitted through the
proxy), re-evaluates after a configuration reload, and never stops the proxy when Nomad misbehaves."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobguard.proxy.reload import load_engine
from jobguard.proxy.settings import ProxySettings
from tests.proxy.conftest import Stack

from .cluster_double import ClusterDouble
from .conftest import TOKEN, api_job, seed_small, wait_for


def start(tmp_path: Path, config: str, request: pytest.FixtureRequest, faults: tuple[str, ...] = (),
          **double) -> Stack:
    (tmp_path / "jobguard.hcl").write_text(config)

    def loader():
        return load_engine(str(tmp_path / "jobguard.hcl"))

    cluster = ClusterDouble(heartbeat_s=0.2, **double)
    seed_small(cluster)
    cluster.fault("/v1/jobs", *faults)  # before the proxy starts: its first audit meets them
    stack = Stack(cluster, ProxySettings(listen="127.0.0.1:0", reload_interval=0.05), loader(), loader).start()
    request.addfinalizer(stack.stop)
    return stack


def metrics(stack: Stack) -> str:
    return stack.http("GET", "/v1/jobguard/metrics")[2].decode()


SERIES = ('jobguard_audit_violations{namespace="default",job="%s",check="no-privileged-containers",'
          'level="hard-mandatory"}')


def test_serve_audits_the_cluster_behind_it(tmp_path, request, monkeypatch):
    monkeypatch.setenv("NOMAD_TOKEN", TOKEN)
    stack = start(tmp_path, f'audit {{\n  change_log = "{tmp_path}/changes.jsonl"\n}}\n', request,
                  tokens={TOKEN: {"AccessorID": "a", "SecretID": TOKEN, "Type": "management"}})
    wait_for(lambda: SERIES % "api" + " 1" in metrics(stack))
    text = metrics(stack)
    assert "jobguard_decisions_total" in text  # the proxy's own metrics are still there
    assert 'jobguard_audit_jobs{state="audited"} 4' in text
    job = api_job("web", privileged=True)
    assert stack.http("PUT", "/v1/jobs", {"Job": job}, headers={"X-Nomad-Token": TOKEN})[0] == 403  # denied
    stack.call(stack.double.change("default", "web", TaskGroups=job["TaskGroups"]))  # changed behind the proxy
    wait_for(lambda: SERIES % "web" + " 1" in metrics(stack))
    assert '"job": "web"' in (tmp_path / "changes.jsonl").read_text()
    reads = [r for r in stack.double.requests if r.path.startswith("/v1/job")]
    assert reads and all(r.headers.get("X-Nomad-Token") == TOKEN for r in reads)
    assert TOKEN not in text


def test_a_reload_reevaluates_the_running_jobs(tmp_path, request, monkeypatch):
    monkeypatch.delenv("NOMAD_TOKEN", raising=False)
    stack = start(tmp_path, "audit {}\n", request)
    wait_for(lambda: SERIES % "api" + " 1" in metrics(stack))
    (tmp_path / "jobguard.hcl").write_text('rules = "none"\nrule "no-raw-exec" {}\naudit {}\n')
    wait_for(lambda: SERIES % "api" not in metrics(stack))
    assert 'jobguard_audit_relists_total{reason="config-reload"} 1' in metrics(stack)


def test_no_audit_block_no_watcher_and_a_broken_nomad_does_not_stop_the_proxy(tmp_path, request, monkeypatch):
    monkeypatch.delenv("NOMAD_TOKEN", raising=False)
    stack = start(tmp_path, "", request)
    assert "jobguard_audit" not in metrics(stack)
    assert stack.proxy.audit is None
    (tmp_path / "off").mkdir()
    off = start(tmp_path / "off", "audit {\n  enabled = false\n}\n", request)
    assert off.proxy.audit is None
    (tmp_path / "broken").mkdir()
    broken = start(tmp_path / "broken", "audit {}\n", request, faults=("500",) * 8)
    wait_for(lambda: 'jobguard_audit_api_errors_total{kind="start"}' in metrics(broken))
    assert broken.http("GET", "/v1/jobguard/health")[0] == 200
    wait_for(lambda: 'jobguard_audit_jobs{state="audited"} 4' in metrics(broken), timeout=30)
