"""The example plugin (tests/plugin_example): a separately pip-installed package adds a rule and a policy import
through the ``jobguard`` entry-point group, without any change to jobguard's code.

The package is installed once per test session into a ``--target`` directory; putting that directory on
``sys.path`` / ``PYTHONPATH`` makes its ``*.dist-info`` (and so its entry points) discoverable.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jobguard.engine import Engine
from jobguard.jobspec import LoadedJob, SourceMap
from jobguard.plugins import create_plugin_manager, discover_policy_imports, discover_rules

PLUGIN_SOURCE = Path(__file__).parent / "plugin_example"


@pytest.fixture(scope="session")
def plugin_dir(tmp_path_factory) -> Path:
    """pip-install the example plugin (from a copy, so the build leaves nothing in the tree)."""
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    shutil.copytree(PLUGIN_SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = work / "site"
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
               "--no-warn-script-location", "--target", str(target), str(source)]
    if importlib.util.find_spec("wheel") is not None:
        command.insert(4, "--no-build-isolation")  # offline and faster when the build tools are already here
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
    assert any(p.name.startswith("jobguard_example_plugin-0.1.0.dist-info") for p in target.iterdir())
    return target


@pytest.fixture
def on_path(plugin_dir):
    sys.path.insert(0, str(plugin_dir))
    importlib.invalidate_caches()
    try:
        yield plugin_dir
    finally:
        sys.path.remove(str(plugin_dir))
        sys.modules.pop("jobguard_example_plugin", None)
        importlib.invalidate_caches()


def cli(plugin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(plugin_dir), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "jobguard", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_plugin_rule_is_listed_by_jobguard_rules(plugin_dir):
    listing = cli(plugin_dir, "rules")
    assert listing.returncode == 0, listing.stderr
    row = next(line for line in listing.stdout.splitlines() if line.startswith("example-owner-meta "))
    assert row.split()[:3] == ["example-owner-meta", "low", "soft-mandatory"]
    details = cli(plugin_dir, "rules", "example-owner-meta")
    assert "Provided by        example (jobguard-example-plugin 0.1.0)" in details.stdout
    assert 'key (string) = "owner"' in details.stdout


def test_plugin_is_not_visible_without_installation():
    assert "example-owner-meta" not in discover_rules(create_plugin_manager())


def test_plugin_rule_and_import_run_in_an_evaluation(on_path, tmp_path):
    pm = create_plugin_manager()
    assert discover_rules(pm)["example-owner-meta"].dist == "jobguard-example-plugin 0.1.0"
    assert "example_teams" in discover_policy_imports(pm)
    (tmp_path / "owner.sentinel").write_text('import "example_teams"\n'
                                             'main = rule { job.meta.owner in example_teams.owners }\n')
    (tmp_path / "jobguard.hcl").write_text('policy "owner" {\n  source = "owner.sentinel"\n'
                                           '  enforcement_level = "hard-mandatory"\n}\n'
                                           'rule "example-owner-meta" { params = { key = "owner" } }\n')
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm, only=["example-owner-meta", "owner"])

    source_map = SourceMap("web.nomad.hcl")
    source_map.add((), 1, 1)
    job = {"ID": "web", "Meta": None, "TaskGroups": []}
    result = engine.evaluate(LoadedJob("web.nomad.hcl", job, job, source_map, 'job "web" {}\n'))
    found = {f.rule: f for f in result.findings}
    assert set(found) == {"example-owner-meta", "owner"}
    assert found["example-owner-meta"].message == "job 'web' has no 'owner' meta key"
    assert (found["example-owner-meta"].line, found["example-owner-meta"].extra["plugin"]) == (1, "example")
    assert result.blocking()

    owned = dict(job, Meta={"owner": "platform"})
    assert engine.evaluate(LoadedJob("web.nomad.hcl", owned, owned, source_map)).findings == []
