"""Hot reload on file change and SIGHUP; a broken new configuration keeps the old one running."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jobguard.proxy.reload import load_engine
from jobguard.proxy.settings import ProxySettings

from .conftest import Stack, make_job, write_config
from .nomad_double import NomadDouble

CONFIG = 'policy "max-count" {\n  source = "./policies/max-count.sentinel"\n  enforcement_level = "hard-mandatory"\n}\n'


def policy(limit: int) -> dict[str, str]:
    return {"max-count.sentinel": f"main = rule {{ all job.task_groups as tg {{ tg.count <= {limit} }} }}\n"}


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_file_change_reloads_and_broken_config_keeps_old(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, CONFIG, policy(5))

    def loader():
        return load_engine(str(cfg))

    stack = Stack(NomadDouble(), ProxySettings(listen="127.0.0.1:0", reload_interval=0.05), loader(), loader)
    stack.start()
    try:
        register = lambda count: stack.http("PUT", "/v1/jobs", {"Job": make_job(count=count)})[0]  # noqa: E731
        assert register(4) == 200
        write_config(tmp_path, CONFIG, policy(3))
        wait_for(lambda: register(4) == 403)

        (tmp_path / "policies" / "max-count.sentinel").write_text("main = rule { all job.task_groups as\n")
        wait_for(lambda: json.loads(stack.http("GET", "/v1/jobguard/health")[2])["last_reload_error"])
        health = json.loads(stack.http("GET", "/v1/jobguard/health")[2])
        assert "max-count.sentinel:" in health["last_reload_error"]
        assert register(4) == 403 and register(2) == 200  # the previous policies still decide
        metrics = stack.http("GET", "/v1/jobguard/metrics")[2].decode()
        assert 'jobguard_config_reloads_total{result="error"}' in metrics
        assert 'jobguard_config_reloads_total{result="ok"} 1' in metrics
    finally:
        stack.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url: str, body: dict | None = None) -> int:
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                 method="PUT" if body else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def test_cli_serve_reloads_on_sighup(tmp_path: Path, passthrough_stack: Stack) -> None:
    cfg = write_config(tmp_path, CONFIG, policy(5))
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "jobguard", "serve", "--upstream", passthrough_stack.direct_url,
                             "--listen", f"127.0.0.1:{port}", "--config", str(cfg), "--reload-interval", "0",
                             "--log-level", "info"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: http(base + "/v1/jobguard/health") == 200)
        assert http(base + "/v1/jobs", {"Job": make_job(count=4)}) == 200
        write_config(tmp_path, CONFIG, policy(3))
        assert http(base + "/v1/jobs", {"Job": make_job(count=4)}) == 200  # no watcher: nothing changes yet
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: http(base + "/v1/jobs", {"Job": make_job(count=4)}) == 403)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "reloaded configuration and policies (SIGHUP)" in err
    assert "listening on http://127.0.0.1:" in err


@pytest.mark.parametrize("args, message", [
    (["--config", "{cfg}"], "jobguard.hcl:2:"),
    (["--config", "{cfg}", "--upstream", "ftp://x"], "must start with http:// or https://"),
    (["--config", "{cfg}", "--tls-cert", "{cfg}", "--tls-key", "{cfg}"], "cannot load TLS files"),
])
def test_cli_serve_config_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    if message.startswith("jobguard.hcl"):
        (tmp_path / "jobguard.hcl").write_text('policy "x" {\n  nonsense = 1\n}\n')
    else:
        write_config(tmp_path, CONFIG, policy(5))
    cfg = str(tmp_path / "jobguard.hcl")
    result = subprocess.run([sys.executable, "-m", "jobguard", "serve", *[a.format(cfg=cfg) for a in args]],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_watched_files_cover_config_policies_and_policy_dirs(tmp_path: Path) -> None:
    from jobguard.proxy.reload import EngineState

    cfg = write_config(tmp_path / "cfg", CONFIG, policy(5))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "a.sentinel").write_text("main = rule { true }\n")
    engine = load_engine(str(cfg), (str(extra),))
    state = EngineState(engine, ProxySettings(extra_policies=(str(extra),)), {}, lambda: engine)
    watched = {str(p) for p in state.watched()}
    assert str(cfg) in watched
    assert str(tmp_path / "cfg" / "policies" / "max-count.sentinel") in watched
    assert str(extra / "a.sentinel") in watched
    before = state.snapshot()
    (extra / "b.sentinel").write_text("main = rule { true }\n")
    assert state.snapshot() != before


def test_a_policy_set_is_served_and_its_module_files_are_watched(tmp_path: Path) -> None:
    """`jobguard serve --config sentinel.hcl`: the policy set's policies run, and editing a module reloads."""
    from jobguard.proxy.reload import EngineState

    (tmp_path / "lib").mkdir()
    module = tmp_path / "lib" / "limits.sentinel"
    module.write_text("max_count = 5\n")
    (tmp_path / "count.sentinel").write_text(
        'import "limits"\nmain = rule { all job.task_groups as tg { tg.count <= limits.max_count } }\n')
    cfg = tmp_path / "sentinel.hcl"
    cfg.write_text('module "limits" {\n  source = "./lib/limits.sentinel"\n}\n'
                   'policy "count" {\n  source = "./count.sentinel"\n  enforcement_level = "hard-mandatory"\n}\n')
    engine = load_engine(str(cfg))
    assert [p.name for p in engine.policies] == ["count"] and engine.rules == []
    state = EngineState(engine, ProxySettings(), {}, lambda: engine)
    assert str(module) in {str(p) for p in state.watched()}
    before = state.snapshot()
    module.write_text("max_count = 10\n")
    assert state.snapshot() != before


def test_cli_serve_reads_the_proxy_block(tmp_path: Path, passthrough_stack: Stack) -> None:
    port = free_port()
    log = tmp_path / "decisions.jsonl"
    block = (f'proxy {{\n  upstream = "{passthrough_stack.direct_url}"\n  listen = "127.0.0.1:{port}"\n'
             f'  decision_log = "{log}"\n  dry_run = true\n}}\n')
    cfg = write_config(tmp_path, CONFIG + block, policy(3))
    proc = subprocess.Popen([sys.executable, "-m", "jobguard", "serve", "--config", str(cfg), "--reload-interval",
                             "0"], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "JOBGUARD_NO_UVLOOP": "1"})  # the other CLI test may use uvloop
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: http(base + "/v1/jobguard/health") == 200)
        assert http(base + "/v1/jobs", {"Job": make_job(count=4)}) == 200  # dry-run from the config
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "DRY-RUN" in err
    record = json.loads(log.read_text().splitlines()[0])
    assert record["decision"] == "dry_run" and record["dry_run"] is True
