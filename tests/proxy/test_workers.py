"""Evaluation in worker processes under a hard deadline: an endless policy evaluation never stalls the proxy.

The job from the issue made a backtracking regex run for hours inside C code; regexes are now matched by a
linear-time engine, so that job is simply denied by its policy at once. The deadline is still the last line of
defence for whatever else runs long inside a worker (here a busy loop): the request must be answered at its
deadline (fail closed, or open when configured), the worker killed and replaced, health and pass-through answering
all along, and SIGTERM must stop the process in time.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from jobguard.proxy.reload import load_engine
from jobguard.proxy.settings import ProxySettings

from .conftest import Stack, make_job, write_config
from .nomad_double import NomadDouble
from .test_reload import free_port, http, wait_for

REDOS = "^([a-z0-9]+[-.]?)+(:[a-z0-9.]+)?$"
EVIL_IMAGE = "a" * 34 + "!"
BUSY = {"Meta": {"owner": "x", "busy": "yes"}}  # seconds of work in busy.sentinel
POLICIES = {
    "image-format.sentinel": f'main = rule {{ all job.task_groups as tg {{ all tg.tasks as t {{ '
                             f't.config.image matches "{REDOS}" }} }} }}\n',
    # seconds of arithmetic in the language (its own 5 s budget would stop it later): the deadline cuts it first
    "busy.sentinel": 'spin = func(n) { s = 0\n  for range(n) as i { s = s + i * i % 13 + i * 7 % 5 - i % 11 + '
                     '(i * 3 + s) % 17 }\n  return s\n}\n'
                     'main = rule { job.meta is null or not ("busy" in keys(job.meta)) or '
                     'all range(1400) as i { spin(1300) >= 0 } }\n',
}
ONLY = ("image-format", "busy")
CONFIG = "".join(f'policy "{name}" {{\n  source = "./policies/{name}.sentinel"\n  enforcement_level = '
                 f'"hard-mandatory"\n}}\n' for name in ("image-format", "busy"))


@pytest.fixture(scope="module")
def redos_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_config(tmp_path_factory.mktemp("redos"), CONFIG, POLICIES)


def _stack(request: pytest.FixtureRequest, config: Path, **settings) -> Stack:
    base = ProxySettings(listen="127.0.0.1:0", reload_interval=0, token_cache_s=0, workers=1, eval_timeout=1.0)
    stack = Stack(NomadDouble(), replace(base, **settings), load_engine(str(config), only=ONLY)).start()
    request.addfinalizer(stack.stop)
    return stack


def _while_polling(stack: Stack, action) -> tuple[object, float, float]:
    """Run ``action`` while health and a pass-through GET are polled; (result, seconds, worst poll seconds)."""
    worst, done = 0.0, threading.Event()

    def poll() -> None:
        nonlocal worst
        while not done.is_set():
            for path in ("/v1/jobguard/health", "/v1/jobs"):
                t0 = time.monotonic()
                assert stack.http("GET", path)[0] == 200
                worst = max(worst, time.monotonic() - t0)
            time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    t0 = time.monotonic()
    try:
        result = action()
    finally:
        took = time.monotonic() - t0
        done.set()
        poller.join()
    return result, took, worst


def test_redos_job_is_denied_by_its_policy_at_once(request: pytest.FixtureRequest, redos_config: Path) -> None:
    stack = _stack(request, redos_config)
    wait_for(lambda: json.loads(stack.http("GET", "/v1/jobguard/health")[2])["eval_workers"] == 1)
    (status, _, body), took, worst = _while_polling(
        stack, lambda: stack.http("PUT", "/v1/jobs", {"Job": make_job(image=EVIL_IMAGE)}))
    assert status == 403 and b"image-format" in body, body
    assert took < 0.9, took  # well inside the 1 s deadline: the regex engine does not backtrack
    assert worst < 0.9, worst
    assert not stack.double.writes_to()
    assert "jobguard_eval_timeouts_total 0" in stack.http("GET", "/v1/jobguard/metrics")[2].decode()


def test_endless_evaluation_fails_closed_at_the_deadline(request: pytest.FixtureRequest, redos_config: Path) -> None:
    job = make_job(**BUSY)
    stack = _stack(request, redos_config)
    wait_for(lambda: json.loads(stack.http("GET", "/v1/jobguard/health")[2])["eval_workers"] == 1)
    (status, _, body), took, worst = _while_polling(stack, lambda: stack.http("PUT", "/v1/jobs", {"Job": job}))
    assert status == 500 and b"did not finish within 1s" in body, body
    assert 0.9 <= took < 3.0, took
    assert worst < min(1.0, took / 2), worst  # health and pass-through kept answering meanwhile
    assert not stack.double.writes_to()
    wait_for(lambda: "jobguard_eval_workers_stopped_total 1" in stack.http("GET", "/v1/jobguard/metrics")[2].decode())
    assert "jobguard_eval_timeouts_total 1" in stack.http("GET", "/v1/jobguard/metrics")[2].decode()
    # the killed worker was replaced: good jobs are decided again
    wait_for(lambda: json.loads(stack.http("GET", "/v1/jobguard/health")[2])["eval_workers"] == 1)
    assert stack.http("PUT", "/v1/jobs", {"Job": make_job(image="nginx")})[0] == 200


def test_fail_open_lets_a_job_through_at_the_deadline(request: pytest.FixtureRequest, redos_config: Path) -> None:
    stack = _stack(request, redos_config, fail_open=True)
    status, _, body = stack.http("PUT", "/v1/jobs", {"Job": make_job(**BUSY)})
    assert status == 200 and "did not finish within 1s" in json.loads(body)["Warnings"]


def test_waiting_for_a_busy_worker_counts_against_the_deadline(request: pytest.FixtureRequest,
                                                                redos_config: Path) -> None:
    stack = _stack(request, redos_config, eval_timeout=1.5)
    results: list[tuple[int, float]] = []

    def submit(job: dict) -> None:
        t0 = time.monotonic()
        results.append((stack.http("PUT", "/v1/jobs", {"Job": job})[0], time.monotonic() - t0))

    threads = [threading.Thread(target=submit, args=(make_job(f"j{i}", **BUSY),)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [s for s, _ in results] == [500, 500, 500]
    assert max(t for _, t in results) < 3.5, results  # each answered at its own deadline, not one after another


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_within_the_grace_period_while_a_worker_is_stuck(redos_config: Path) -> None:
    double = subprocess.Popen([sys.executable, str(Path(__file__).parent / "nomad_double.py"), "--no-record"],
                              stdout=subprocess.PIPE, text=True)
    port = free_port()
    try:
        upstream = f"http://127.0.0.1:{int(double.stdout.readline())}"
        proc = subprocess.Popen([sys.executable, "-m", "jobguard", "serve", "--upstream", upstream, "--listen",
                                 f"127.0.0.1:{port}", "--config", str(redos_config), "--reload-interval", "0",
                                 "--eval-timeout", "120", "--shutdown-grace", "2", "--workers", "2",
                                 *(f"--only={name}" for name in ONLY)],
                                stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: http(base + "/v1/jobguard/health") == 200, timeout=30)
        stuck = threading.Thread(target=http, args=(base + "/v1/jobs", {"Job": make_job(**BUSY)}),
                                 daemon=True)
        stuck.start()
        time.sleep(1.0)
        t0 = time.monotonic()
        assert http(base + "/v1/jobguard/health") == 200 and time.monotonic() - t0 < 0.5
        helpers = _children(proc.pid)
        assert len(helpers) >= 3  # the fork server and two workers
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - t0
    finally:
        double.terminate()
        double.wait(10)
    assert proc.returncode == 0, err
    assert took < 2.0 + 1.0, took
    assert "Traceback" not in err
    wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") and _state(pid) != "Z" for pid in helpers), timeout=5)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
