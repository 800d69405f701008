"""deploy/jobguard.nomad.hcl: a service job with N replicas and a health check that passes `jobguard check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jobguard.jobspec import load_file

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "jobguard.nomad.hcl"


def test_deploy_job_shape() -> None:
    job = load_file(str(DEPLOY)).job
    group = job["TaskGroups"][0]
    assert job["Type"] == "service" and group["Count"] == 3
    check = group["Services"][0]["Checks"][0]
    assert (check["Type"], check["Path"]) == ("http", "/v1/jobguard/health")
    args = group["Tasks"][0]["Config"]["args"]
    assert args[0] == "serve" and "--upstream" in args and "--config" in args
    assert all(t["ChangeSignal"] == "SIGHUP" for t in group["Tasks"][0]["Templates"])


def test_deploy_job_passes_jobguard_check() -> None:
    result = subprocess.run([sys.executable, "-m", "jobguard", "check", str(DEPLOY)], capture_output=True,
                            text=True, timeout=60, cwd=DEPLOY.parent)
    assert result.returncode == 0, result.stdout + result.stderr
