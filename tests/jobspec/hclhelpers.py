"""Helpers shared by the HCL loader tests: load a snippet, wrap a task body in a minimal job."""

from __future__ import annotations

import pytest

from jobguard.jobspec import JobspecError, load_text


def load(text: str, **kw):
    """Load HCL text with an empty environment (tests must not see the developer's NOMAD_VAR_*)."""
    kw.setdefault("env", {})
    return load_text(text, filename="job.hcl", **kw)


def job_of(text: str, **kw) -> dict:
    return load(text, **kw).job


def task_job(task_body: str, group_body: str = "", job_body: str = "", prelude: str = "") -> str:
    """A job with one group and one task around the given bodies."""
    return f"""{prelude}
job "j" {{
  {job_body}
  group "g" {{
    {group_body}
    task "t" {{
      driver = "docker"
      {task_body}
    }}
  }}
}}
"""


def task_of(task_body: str, **kw) -> dict:
    return job_of(task_job(task_body), **kw)["TaskGroups"][0]["Tasks"][0]


def errors_of(text: str, **kw) -> list:
    with pytest.raises(JobspecError) as info:
        load(text, **kw)
    return info.value.diagnostics


def attr_value(expr: str, prelude: str = "", **kw):
    """The value an expression produces, seen through a task's ``config`` (which keeps any type)."""
    task = task_of(f"config {{\n v = {expr}\n}}", **kw) if not prelude else \
        job_of(task_job(f"config {{\n v = {expr}\n}}", prelude=prelude), **kw)["TaskGroups"][0]["Tasks"][0]
    return task["Config"]["v"]
