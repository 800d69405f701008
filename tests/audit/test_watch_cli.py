"""``jobguard audit --watch`` as a process: change lines, the change log, ``--output`` rewritten, the metrics
endpoint, a clean exit on SIGTERM, exit 2 when the first audit cannot be done."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.tools import venv_tool

from .conftest import api_job, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("NOMAD_")}


def metrics(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            return resp.read().decode()
    except OSError:
        return ""


def test_watch_process(cluster, tmp_path: Path):
    port = free_port()
    log, report = tmp_path / "changes.jsonl", tmp_path / "report.json"
    proc = subprocess.Popen([venv_tool("jobguard"), "audit", "--watch", "--address", cluster.url,
                             "--change-log", str(log), "--output", f"json={report}", "--metrics-listen",
                             f"127.0.0.1:{port}", "--log-level", "info"],
                            cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: "jobguard_audit_stream_connected 1" in metrics(port))
        cluster.call(cluster.double.change("default", "web", TaskGroups=api_job("web", privileged=True)["TaskGroups"]))
        wait_for(lambda: 'job="web",check="no-privileged-containers"' in metrics(port))
        wait_for(lambda: report.exists() and "default/web" in {f["job"] for f in json.loads(report.read_text())[
            "findings"] if f["rule"] == "no-privileged-containers"})
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("default/api v3: violating, 1 blocking")
    assert "default/web v1: violating, 1 blocking, 7 advisory (+no-privileged-containers)" in lines
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records[-1]["job"] == "web" and records[-1]["event"] == "JobRegistered"
    assert "watching 4 job(s)" in err and "Traceback" not in err


def test_change_log_on_stdout_replaces_the_change_lines(cluster, tmp_path: Path):
    proc = subprocess.Popen([venv_tool("jobguard"), "audit", "--watch", "--address", cluster.url,
                             "--change-log", "-", "--namespace", "team-a"],
                            cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    wait_for(lambda: cluster.requests_to("/v1/event/stream"))
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert (record["namespace"], record["job"], record["cause"]) == ("team-a", "billing", "start")


def test_watch_that_cannot_start_is_exit_2(tmp_path: Path):
    proc = subprocess.run([venv_tool("jobguard"), "audit", "--watch", "--address", "http://127.0.0.1:9",
                           "--retries", "0"], cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "jobguard audit: Nomad at http://127.0.0.1:9 did not answer GET /v1/jobs" in proc.stderr
    assert "Traceback" not in proc.stderr
