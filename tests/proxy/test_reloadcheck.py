"""A hot reload swaps in only a complete, validated policy set: every broken state keeps the previous one.

Each case breaks the files of a running proxy in one way, reloads, and checks that the reload was refused with
a reason naming the file, that health and metrics say so, and that the previous policies still decide (a job
each policy forbids is still denied, a good one allowed). Then the files are restored and reloaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from jobguard.proxy import reloadcheck, snapshot
from jobguard.proxy.reload import load_engine
from jobguard.proxy.settings import ProxySettings

from .conftest import Stack, make_job
from .nomad_double import NomadDouble

POLICIES = {
    "max-count.sentinel": "# groups stay small\nmain = rule { all job.task_groups as tg { tg.count <= 5 } }\n",
    "no-latest.sentinel": 'main = rule { all job.task_groups as tg { all tg.tasks as t {\n'
                          '  t.config.image not matches ":latest$" } } }\n',
}
BLOCKS = {name: f'policy "{name}" {{\n  source = "./policies/{name}.sentinel"\n  enforcement_level = '
                f'"hard-mandatory"\n}}\n' for name in ("max-count", "no-latest")}
RULE_BLOCK = 'rule "no-latest-tag" {\n  enforcement_level = "advisory"\n}\n'
CONFIG = BLOCKS["max-count"] + BLOCKS["no-latest"] + RULE_BLOCK


def write(root: Path, config: str = CONFIG, policies: dict[str, str] | None = None) -> Path:
    (root / "policies").mkdir(parents=True, exist_ok=True)
    for name, text in (policies or POLICIES).items():
        (root / "policies" / name).write_text(text)
    (root / "jobguard.hcl").write_text(config)
    return root / "jobguard.hcl"


def builtin_rules_but(*keep: str) -> tuple[str, ...]:
    from jobguard.engine import Engine

    return tuple(sorted(set(Engine.load(config_path=None, start_dir="/").registry) - set(keep)))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> tuple[Stack, Path]:
    root = tmp_path_factory.mktemp("reloadcheck")
    cfg = write(root)
    skip = builtin_rules_but("no-latest-tag")  # --skip, not --only: --only would itself refuse a dropped policy

    def loader():
        return load_engine(str(cfg), skip=skip)

    settings = ProxySettings(listen="127.0.0.1:0", reload_interval=0, token_cache_s=0, workers=1)
    stack = Stack(NomadDouble(), settings, loader(), loader).start()
    yield stack, root
    stack.stop()


def reload(stack: Stack) -> bool:
    return stack.call(stack.state.reload("test"))


def decisions(stack: Stack) -> tuple[int, int, int]:
    """(too many instances, :latest image, good job): the statuses the proxy answers."""
    def status(job: dict) -> int:
        return stack.http("PUT", "/v1/jobs", {"Job": job})[0]

    return status(make_job(count=9)), status(make_job(image="nginx:latest")), status(make_job())


def _mutating_read(mutate: Callable[[object], None], times: int = 99) -> Callable[[object], bytes]:
    """A read that lets a 'writer' change the file while it is being read (the first ``times`` reads)."""
    calls = {"n": 0}
    original = snapshot._read_all

    def read(handle) -> bytes:
        data = original(handle)
        if handle.name.endswith("max-count.sentinel") and calls["n"] < times:
            calls["n"] += 1
            mutate(handle)
        return data

    return read


def _append(handle) -> None:
    with open(handle.name, "a") as out:
        out.write("\n")


def _replace(handle) -> None:
    tmp = handle.name + ".new"
    Path(tmp).write_text(POLICIES["max-count.sentinel"].replace("5", "1"))
    os.replace(tmp, handle.name)


def _permission_denied(handle) -> None:
    raise PermissionError(13, "Permission denied", handle.name)


def _policy(root: Path, name: str) -> Path:
    return root / "policies" / f"{name}.sentinel"


# name -> (break the files under root, text expected in last_reload_error); monkeypatch given for read faults
CASES: dict[str, tuple[Callable[..., None], str]] = {
    "empty config": (lambda root, mp: (root / "jobguard.hcl").write_text(""), "configuration file is empty"),
    "config truncated at a block boundary": (
        lambda root, mp: (root / "jobguard.hcl").write_text(BLOCKS["max-count"]),
        'policy "no-latest" is no longer configured'),
    "config truncated before a rule block": (
        lambda root, mp: (root / "jobguard.hcl").write_text(BLOCKS["max-count"] + BLOCKS["no-latest"]),
        'rule "no-latest-tag" block is no longer configured'),
    "config truncated inside a block": (
        lambda root, mp: (root / "jobguard.hcl").write_text(CONFIG[:CONFIG.index("enforcement_level")]),
        "jobguard.hcl:"),
    "config deleted": (lambda root, mp: (root / "jobguard.hcl").unlink(), "Configuration file not found"),
    "empty policy": (lambda root, mp: _policy(root, "no-latest").write_text(""), "the policy file is empty"),
    "comments-only policy": (lambda root, mp: _policy(root, "no-latest").write_text("# todo\n\n"),
                             "the policy file is empty"),
    "policy without main": (lambda root, mp: _policy(root, "max-count").write_text(
        "small = rule { all job.task_groups as tg { tg.count <= 5 } }\n"), "the policy has no main rule"),
    "policy syntax error": (lambda root, mp: _policy(root, "max-count").write_text("main = rule { all job.\n"),
                            "max-count.sentinel:"),
    "policy deleted": (lambda root, mp: _policy(root, "no-latest").unlink(), "Policy file not found"),
    "policy permission denied": (lambda root, mp: mp.setattr(snapshot, "_read_all",
                                                             _mutating_read(_permission_denied)),
                                 "Permission denied"),
    "policy replaced during the read": (lambda root, mp: mp.setattr(snapshot, "_read_all", _mutating_read(_replace)),
                                        "changed while it was being read"),
    "policy growing during the read": (lambda root, mp: mp.setattr(snapshot, "_read_all", _mutating_read(_append)),
                                       "changed while it was being read"),
    "policy crashing on the probe job": (lambda root, mp: _policy(root, "max-count").write_text(
        "main = rule { all job.task_groups as tg { tg.count / 0 <= 5 } }\n"), "built-in probe job"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_reload_keeps_the_previous_set(live: tuple[Stack, Path], case: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    stack, root = live
    assert decisions(stack) == (403, 403, 200)
    breaker, expected = CASES[case]
    breaker(root, monkeypatch)
    try:
        assert reload(stack) is False
        health = json.loads(stack.http("GET", "/v1/jobguard/health")[2])
        assert expected in (health["last_reload_error"] or ""), health["last_reload_error"]
        metrics = stack.http("GET", "/v1/jobguard/metrics")[2].decode()
        assert "jobguard_config_reload_failing 1" in metrics
        assert decisions(stack) == (403, 403, 200)  # the previous set still decides
    finally:
        monkeypatch.undo()
        write(root)
        assert reload(stack) is True
    assert json.loads(stack.http("GET", "/v1/jobguard/health")[2])["last_reload_error"] is None
    assert "jobguard_config_reload_failing 0" in stack.http("GET", "/v1/jobguard/metrics")[2].decode()


def test_a_read_disturbed_once_is_retried(live: tuple[Stack, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    stack, root = live
    monkeypatch.setattr(snapshot, "_read_all", _mutating_read(_replace, times=1))
    try:
        assert reload(stack) is True
        assert stack.http("PUT", "/v1/jobs", {"Job": make_job(count=2)})[0] == 403  # the replaced file: limit 1
    finally:
        monkeypatch.undo()
        write(root)
        assert reload(stack) is True


def test_retiring_a_policy_takes_enabled_false_first(live: tuple[Stack, Path]) -> None:
    stack, root = live
    disabled = BLOCKS["no-latest"].replace("}\n", "  enabled = false\n}\n")
    try:
        (root / "jobguard.hcl").write_text(BLOCKS["max-count"] + disabled + RULE_BLOCK)
        assert reload(stack) is True
        assert decisions(stack) == (403, 200, 200)
        (root / "jobguard.hcl").write_text(BLOCKS["max-count"] + RULE_BLOCK)  # now the block may go
        assert reload(stack) is True
        assert decisions(stack) == (403, 200, 200)
    finally:
        write(root)
        assert reload(stack) is True


def test_probe_jobs_must_stay_allowed(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    probe = {"Job": make_job("probe", count=3)}
    (tmp_path / "probe.json").write_text(json.dumps(probe))
    block = '\nproxy {\n  probe_jobs = ["probe.json"]\n}\n'
    cfg = write(tmp_path, CONFIG + block)

    def loader():
        return load_engine(str(cfg), only=("max-count", "no-latest"))

    stack = Stack(NomadDouble(), ProxySettings(listen="127.0.0.1:0", reload_interval=0, workers=1), loader(),
                  loader)
    stack.settings = replace(stack.settings, probe_jobs=("probe.json",), config_path=str(cfg))
    stack.start()
    request.addfinalizer(stack.stop)
    tighter = {**POLICIES, "max-count.sentinel": POLICIES["max-count.sentinel"].replace("<= 5", "<= 4")}
    write(tmp_path, CONFIG + block, tighter)
    assert reload(stack) is True  # the probe job (3 instances) is still allowed
    write(tmp_path, CONFIG + block, {**POLICIES, "max-count.sentinel": POLICIES["max-count.sentinel"].replace(
        "<= 5", "<= 2")})
    assert reload(stack) is False
    error = json.loads(stack.http("GET", "/v1/jobguard/health")[2])["last_reload_error"]
    assert "probe.json: probe job is denied: max-count" in error
    assert stack.http("PUT", "/v1/jobs", {"Job": make_job(count=4)})[0] == 200  # the limit of 4 still applies
    assert stack.http("PUT", "/v1/jobs", {"Job": make_job(count=5)})[0] == 403


# ---------------------------------------------------------------------------- units
def test_static_checks_on_policy_files(tmp_path: Path) -> None:
    cfg = write(tmp_path)
    engine = load_engine(str(cfg), only=("max-count", "no-latest"))
    assert reloadcheck.static_problems(engine, engine) == []
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "a.sentinel").write_text("main = rule { true }\n")
    with_cli = load_engine(str(cfg), (str(extra),), only=("max-count", "no-latest", "a"))
    (extra / "a.sentinel").unlink()
    without = load_engine(str(cfg), (str(extra),), only=("max-count", "no-latest"))
    assert any("files given with --policy are removed with a restart" in p
               for p in reloadcheck.static_problems(with_cli, without))
    assert reloadcheck._assigns_main(load_engine(str(write(tmp_path, policies={
        **POLICIES, "max-count.sentinel": 'if true {\n  main = rule { true }\n}\n'})),
        only=("max-count",)).policies[0].compiled.module)


def test_read_stable_refuses_a_file_that_keeps_changing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.sentinel"
    path.write_text("main = rule { true }\n")
    assert snapshot.read_stable(str(path)) == "main = rule { true }\n"
    monkeypatch.setattr(snapshot, "_read_all", lambda handle: (_append(handle), b"partial")[1])
    with pytest.raises(snapshot.ChangedWhileReading, match="changed while it was being read"):
        snapshot.read_stable(str(path))


@pytest.mark.parametrize("breakage, message", [
    ("probe", "probe.json: probe job is denied: max-count"),
    ("empty-policy", "no-latest.sentinel: the policy file is empty"),
    ("no-main", "max-count.sentinel: the policy has no main rule"),
])
def test_cli_serve_refuses_to_start_on_a_set_that_fails_everything(tmp_path: Path, breakage: str,
                                                                    message: str) -> None:
    import subprocess
    import sys

    from .test_reload import free_port

    (tmp_path / "probe.json").write_text(json.dumps({"Job": make_job("probe", count=9 if breakage == "probe" else 1)}))
    policies = dict(POLICIES)
    if breakage == "empty-policy":
        policies["no-latest.sentinel"] = ""
    elif breakage == "no-main":
        policies["max-count.sentinel"] = "small = rule { true }\n"
    cfg = write(tmp_path, CONFIG + '\nproxy {\n  probe_jobs = ["probe.json"]\n}\n', policies)
    result = subprocess.run([sys.executable, "-m", "jobguard", "serve", "--config", str(cfg), "--listen",
                             f"127.0.0.1:{free_port()}", "--upstream", "http://127.0.0.1:9", "--workers", "1",
                             *(f"--skip={r}" for r in builtin_rules_but())], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
