"""The result cache never answers with a stale verdict when what the job reads from disk changes.

Nomad's CLI, and jobguard's loader, resolve ``file("...")`` and friends against the current working directory, not
the job file's directory; users run ``jobguard check jobs/`` from the repository root, so the two differ.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_support import JOBS, check_json, cli_env

IMAGE_LINE = '        image          = "registry.example.com/payments/api:1.4.2@sha256:'


def _job_with(expression_for_image: str | None = None, count: str | None = None) -> str:
    """The good fixture job with its image and/or count replaced by an HCL expression."""
    lines = []
    for line in (JOBS / "good.nomad.hcl").read_text().splitlines():
        if expression_for_image and line.startswith(IMAGE_LINE):
            line = f"        image          = {expression_for_image}"
        if count and line.strip() == "count = 2":
            line = f"    count = {count}"
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "jobs").mkdir()
    return tmp_path


def _rules(project: Path, job: str, env: dict[str, str]) -> tuple[int, set[str]]:
    code, report = check_json(job, cwd=project, env=env, cache=True)
    assert report["errors"] == []
    return code, {f["rule"] for f in report["findings"] if f["status"] == "blocking"}


def test_file_read_from_the_working_directory_invalidates_the_cache(project: Path) -> None:
    job = _job_with(expression_for_image='trimspace(file("image.txt"))')
    (project / "jobs" / "app.nomad.hcl").write_text(job)
    (project / "image.txt").write_text("registry.example.com/payments/api:1.4.2\n")
    env = cli_env(cache_dir=project / "cache")
    assert _rules(project, "jobs/app.nomad.hcl", env) == (0, set())
    (project / "image.txt").write_text("docker.io/someone/api:1.4.2\n")
    assert _rules(project, "jobs/app.nomad.hcl", env) == (1, {"approved-images"})


def test_fileexists_result_change_invalidates_the_cache(project: Path) -> None:
    (project / "jobs" / "app.nomad.hcl").write_text(_job_with(count='fileexists("scale-up") ? 9 : 2'))
    env = cli_env(cache_dir=project / "cache")
    assert _rules(project, "jobs/app.nomad.hcl", env) == (0, set())
    assert list((project / "cache").rglob("*.json")), "the first run was expected to fill the cache"
    (project / "scale-up").write_text("")
    assert _rules(project, "jobs/app.nomad.hcl", env) == (1, {"max-count"})
