"""A 1,000-job cluster is audited in one run (two pages of the job list), every job once, in a stable order."""

from __future__ import annotations

import json
import os
import time

from click.testing import CliRunner

from jobguard.cli import cli

from .cluster_double import synthetic_jobs
from .conftest import make_cluster


def test_a_thousand_jobs_in_one_run(request, tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith("NOMAD_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    cluster = make_cluster(request, record=True)
    for namespace, job in synthetic_jobs(1000):
        cluster.double.seed(job, namespace)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["audit", "--address", cluster.url, "--format", "json", "--concurrency", "16"],
                                catch_exceptions=False)
    elapsed = time.monotonic() - started
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["summary"]["jobs"] == 1000 and report["errors"] == []
    jobs = [f["job"] for f in report["findings"]]
    assert jobs == sorted(jobs, key=lambda j: tuple(j.split("/", 1)))  # namespace, then job ID
    blocking = {f["job"] for f in report["findings"] if f["status"] == "blocking"}
    assert len(blocking) == 200  # every 10th job privileged, every 10th one with an inline secret
    assert len(cluster.requests_to("/v1/jobs")) == 2  # 500 per page
    assert len([r for r in cluster.double.requests if r.path.startswith("/v1/job/")]) == 1000
    assert "s3cr3t-value" not in result.stdout
    assert elapsed < 120, f"1,000 jobs took {elapsed:.1f} s"
