"""Helpers for the end-to-end suite: run the real ``jobguard`` command, and ``jobguard serve`` as a real process in
front of the Nomad API double (``tests/proxy/nomad_double.py``), everything on loopback.

Why subprocesses: the e2e suite checks the product the way users meet it (console script, exit codes, stdout and
stderr, a proxy process with its own event loop), not the Python functions behind it.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fixture_jobs import write_jobs

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def build_fixtures() -> Path:
    """The fixture tree the suite runs against, built once per test session in a temporary directory (removed at
    exit): a copy of ``fixtures/`` (``jobguard.hcl``, ``policies/``) plus ``jobs/``, rendered from the one base job
    and its variations in ``fixture_jobs.py``."""
    root = Path(tempfile.mkdtemp(prefix="jobguard-e2e-")).resolve()
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    tree = root / "fixtures"
    shutil.copytree(HERE / "fixtures", tree)
    write_jobs(tree / "jobs")
    return tree


FIXTURES = build_fixtures()
JOBS = FIXTURES / "jobs"
CONFIG = FIXTURES / "jobguard.hcl"

# The ACL token the Nomad double knows: it holds the "ops" policy, which the proxy is told may override.
OPS_TOKEN = "e2e-ops-secret-id"
OPS_ACCESSOR = "e2e-ops-accessor"

# Findings compared across fronts: what decides a run, not where the file is.
Key = tuple[str, str, bool, bool]


def jobguard_command() -> list[str]:
    """The installed console script next to this interpreter (what users run), else ``python -m jobguard``."""
    script = Path(sys.executable).with_name("jobguard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jobguard"]


def cli_env(cache_dir: Path | str | None = None, **extra: str) -> dict[str, str]:
    """A quiet, deterministic environment: no colour, no debug tracebacks, a private cache directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOMAD_VAR_", "JOBGUARD_"))}
    env.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    if cache_dir is not None:
        env["JOBGUARD_CACHE_DIR"] = str(cache_dir)
    env.update(extra)
    return env


def run_jobguard(*args: str, cwd: Path | str | None = None, stdin: bytes | None = None, timeout: float = 60,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``jobguard ARGS`` and capture stdout/stderr as text (undecodable bytes replaced, never raised)."""
    proc = subprocess.run([*jobguard_command(), *args], cwd=cwd, input=stdin, capture_output=True, timeout=timeout,
                          env=env if env is not None else cli_env())
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def finding_keys(findings: Iterable[Any]) -> set[Key]:
    """(rule, enforcement_level, suppressed, overridden) of findings given as dicts or ``Finding`` objects."""
    out = set()
    for f in findings:
        get = f.get if isinstance(f, dict) else (lambda name, _f=f: getattr(_f, name))
        out.add((get("rule"), get("enforcement_level"), bool(get("suppressed")), bool(get("overridden"))))
    return out


def check_json(path: Path | str, *flags: str, cwd: Path | str = FIXTURES, env: dict[str, str] | None = None,
               cache: bool = False) -> tuple[int, dict[str, Any]]:
    """``jobguard check --format json --config <fixture config> PATH`` -> (exit code, report). Without ``cache``
    the run neither reads nor writes the result cache."""
    proc = run_jobguard("check", *([] if cache else ["--no-cache"]), "--format", "json", "--config", str(CONFIG),
                        *flags, str(path), cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def parse_api_json(path: Path | str) -> dict[str, Any]:
    """``jobguard parse FILE`` -> the ``{"Job": ...}`` document a Nomad client would send."""
    proc = run_jobguard("parse", str(path), cwd=FIXTURES)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
         timeout: float = 20) -> tuple[int, dict[str, str], bytes]:
    """A blocking HTTP call: (status, headers, body); HTTP errors are answers, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class DoubleServer:
    """The Nomad API double from ``tests/proxy/nomad_double.py`` on a loopback port, in a background event loop
    of this test process (so tests can look at what reached "Nomad")."""

    def __init__(self, **fields: Any) -> None:
        from tests.proxy.nomad_double import NomadDouble

        self.double = NomadDouble(**fields)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0
        self._runner: Any = None

    def start(self) -> DoubleServer:
        from tests.proxy.nomad_double import start_double

        self.thread.start()
        self._runner, self.port = asyncio.run_coroutine_threadsafe(start_double(self.double), self.loop).result(10)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        try:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


_LISTENING = re.compile(r"listening on (https?)://([0-9.]+):(\d+)")


class ServeProcess:
    """``jobguard serve`` as a real subprocess on ``127.0.0.1:0``; the bound port is read from its startup log."""

    def __init__(self, upstream: str, *flags: str, cwd: Path | str = FIXTURES, decision_log: Path | None = None,
                 config: Path = CONFIG) -> None:
        args = ["serve", "--upstream", upstream, "--listen", "127.0.0.1:0", "--config", str(config),
                "--reload-interval", "0", "--override-policy", "ops", *flags]
        if decision_log is not None:
            args += ["--decision-log", str(decision_log)]
        self.args = [*jobguard_command(), *args]
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None
        self.stderr_lines: list[str] = []
        self.port = 0

    def start(self, timeout: float = 20) -> ServeProcess:
        self.proc = subprocess.Popen(self.args, cwd=self.cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=cli_env(JOBGUARD_NO_UVLOOP="1"), text=True, errors="replace")
        ready = threading.Event()

        def drain() -> None:
            assert self.proc is not None and self.proc.stderr is not None
            for line in self.proc.stderr:
                self.stderr_lines.append(line)
                match = _LISTENING.search(line)
                if match and not self.port:
                    self.port = int(match.group(3))
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        threading.Thread(target=lambda: self.proc.stdout.read() if self.proc and self.proc.stdout else None,
                         daemon=True).start()
        if not ready.wait(timeout) or not self.port:
            self.stop()
            raise RuntimeError("jobguard serve did not start:\n" + "".join(self.stderr_lines))
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _, _ = http("GET", self.url + "/v1/jobguard/health", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("jobguard serve never became healthy:\n" + "".join(self.stderr_lines))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def stop(self) -> int | None:
        """Stop this process (SIGTERM, then SIGKILL) and return its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def acl_tokens() -> dict[str, dict[str, Any]]:
    """The double's ACL tokens (ACLs on): one client token that holds the "ops" override policy."""
    return {OPS_TOKEN: {"AccessorID": OPS_ACCESSOR, "SecretID": OPS_TOKEN, "Name": "e2e ops", "Type": "client",
                        "Policies": ["ops"], "Roles": None, "Global": False}}


_LINE = re.compile(r'^\* (advisory|soft-mandatory|hard-mandatory) (rule|policy) "([^"]+)" failed: .*?'
                   r'( \[overridden by PolicyOverride\])?$')


def described(text: str) -> set[tuple[str, str, str, bool]]:
    """(level, kind, rule, overridden) of every ``* LEVEL KIND "NAME" failed: ...`` line of a deny text or a
    Nomad ``Warnings`` string."""
    out = set()
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            out.add((match.group(1), match.group(2), match.group(3), bool(match.group(4))))
    return out


def read_decisions(path: Path) -> list[dict[str, Any]]:
    """The decision log's JSON lines (the proxy writes one line per decision, line-buffered)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_for_decision(path: Path, job_id: str, kind: str = "register", after: int = 0,
                      timeout: float = 10) -> dict[str, Any]:
    """The newest decision of ``kind`` about ``job_id`` among the log's lines past the first ``after`` (waits
    briefly: the line is written as the answer goes out)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [d for d in read_decisions(path)[after:] if d.get("job_id") == job_id and d.get("kind") == kind]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no decision for {job_id!r} in {path}")
        time.sleep(0.05)
