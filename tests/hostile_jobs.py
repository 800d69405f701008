"""The hostile job files of issue #17, written at test time into a throw-away checkout.

Shared by the CLI tests (in process, timed) and the end-to-end tests (the real command): each must exit 2 with
a located error, quickly, and nothing outside the checkout may show up in any output.
"""

from __future__ import annotations

import os
from pathlib import Path

CANARY = "canary-9f1c2e-outside-the-checkout"

_JOB = '''job "hostile" {{
  datacenters = ["dc1"]
  group "g" {{
    task "t" {{
      driver = "docker"
      config {{
        image = "registry.example.com/app:1.0"
        args  = [{expr}]
      }}
    }}
  }}
}}
'''


def _deep_json(depth: int, array: bool) -> str:
    opener, closer = ("[", "]") if array else ('{"a": ', "}")
    return ('{"Job": {"ID": "hostile", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Driver": "docker",\n'
            '"Config": {"x": ' + opener * depth + "1" + closer * depth + "}}]}]}}\n")


#: file name -> (content, line of the expected error or None when only the file is known)
HOSTILE: dict[str, tuple[str, int]] = {
    "format-width.nomad.hcl": (_JOB.format(expr='format("%999999999d", 1)'), 8),
    "format-precision.nomad.hcl": (_JOB.format(expr='format("%.999999999f", 1.5)'), 8),
    "formatlist-width.nomad.hcl": (_JOB.format(expr='join(",", formatlist("%999999999s", ["a", "b"]))'), 8),
    "fileset-root.nomad.hcl": (_JOB.format(expr='join(",", fileset("/", "**"))'), 8),
    "fileset-up.nomad.hcl": (_JOB.format(expr='join(",", fileset("../..", "**"))'), 8),
    "bcrypt-31.nomad.hcl": (_JOB.format(expr='bcrypt("x", 31)'), 8),
    "bcrypt-20.nomad.hcl": (_JOB.format(expr='bcrypt("x", 20)'), 8),
    "file-etc.nomad.hcl": (_JOB.format(expr='file("/etc/passwd")'), 8),
    "file-dotdot.nomad.hcl": (_JOB.format(expr='file("../../outside/secret.txt")'), 8),
    "file-symlink.nomad.hcl": (_JOB.format(expr='file("link-out")'), 8),
    "filebase64-abs.nomad.hcl": (_JOB.format(expr='filebase64("{outside}/secret.txt")'), 8),
    "setproduct.nomad.hcl": (_JOB.format(expr="length(setproduct(range(1000), range(1000), range(1000)))"), 8),
    "hcl-deep-5000.nomad.hcl": (_JOB.format(expr="[" * 5000 + "]" * 5000), 8),
    "hcl-deep-100000.nomad.hcl": (_JOB.format(expr="(" * 100_000 + "1" + ")" * 100_000), 8),
    "api-deep-5000.nomad.json": (_deep_json(5000, array=False), 2),
    "api-deep-100000.nomad.json": (_deep_json(100_000, array=True), 2),
}


def write_checkout(base: Path) -> Path:
    """``base/repo``, a git checkout (runs start in its ``jobs/``), with ``jobs/`` holding :data:`HOSTILE`, a good
    job and a symlink out of the checkout; ``base/outside/secret.txt`` holds :data:`CANARY`."""
    outside = base / "outside"
    outside.mkdir(parents=True)
    (outside / "secret.txt").write_text(CANARY + "\n")
    repo = base / "repo"
    (repo / ".git").mkdir(parents=True)
    jobs = repo / "jobs"
    jobs.mkdir()
    os.symlink("../../outside/secret.txt", jobs / "link-out")
    for name, (text, _line) in HOSTILE.items():
        (jobs / name).write_text(text.replace("{outside}", str(outside)))
    (jobs / "good.nomad.hcl").write_text(_JOB.format(expr='"--port", "8080"'))
    return repo
