"""``jobguard serve`` as an operator runs it: a process that reloads its configuration on SIGHUP (keeping the old one
when the new one is broken, and saying why with file:line:col), and stops cleanly with exit 0 on SIGTERM.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from e2e_support import FIXTURES, JOBS, OPS_TOKEN, DoubleServer, ServeProcess, acl_tokens, http, parse_api_json


@pytest.fixture
def served(tmp_path: Path) -> Any:
    config_dir = tmp_path / "config"
    shutil.copytree(FIXTURES, config_dir)
    double = DoubleServer(tokens=acl_tokens()).start()
    serve = ServeProcess(double.url, config=config_dir / "jobguard.hcl", cwd=config_dir).start()
    yield serve, config_dir / "jobguard.hcl"
    serve.stop()
    double.stop()


def _register(serve: ServeProcess, job: dict[str, Any]) -> tuple[int, str]:
    status, _, raw = http("PUT", serve.url + "/v1/jobs", {"Job": job}, headers={"X-Nomad-Token": OPS_TOKEN})
    return status, raw.decode()


def _until(predicate: Any, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_sighup_reload_and_clean_stop(served: Any) -> None:
    serve, config = served
    job = parse_api_json(JOBS / "good.nomad.hcl")["Job"]
    assert _register(serve, job)[0] == 200

    def fingerprint() -> str:
        return json.loads(http("GET", serve.url + "/v1/jobguard/health")[2])["fingerprint"]

    # a stricter policy parameter, picked up on SIGHUP
    before = fingerprint()
    config.write_text(config.read_text().replace("params            = { max = 4 }", "params            = { max = 1 }"))
    serve.proc.send_signal(signal.SIGHUP)
    assert _until(lambda: fingerprint() != before), serve.stderr
    status, text = _register(serve, job)
    assert status == 403 and 'hard-mandatory policy "max-count" failed' in text

    # a broken configuration is refused: the previous one keeps deciding, the reason names file:line:col
    config.write_text('policy "max-count" {\n  source = \n}\n')
    serve.proc.send_signal(signal.SIGHUP)

    def reload_error() -> str:
        return json.loads(http("GET", serve.url + "/v1/jobguard/health")[2])["last_reload_error"] or ""

    assert _until(lambda: bool(reload_error())), serve.stderr
    assert re.search(r"jobguard\.hcl:3:1: |jobguard\.hcl:2:\d+: ", reload_error()), reload_error()
    assert _register(serve, job)[0] == 403
    assert "Traceback" not in serve.stderr

    assert serve.stop() == 0
