"""The ACL token (and basic-auth credentials in the address) never appear in any output: every report format,
every log level of ``--watch``, and every error message, including those about addresses that embed them."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from click.testing import CliRunner

from jobguard.cli import cli
from tests.tools import venv_tool

from .conftest import READER, TOKEN, api_job

PASSWORD = "pa55-w0rd-do-not-print"
FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for key in [k for k in os.environ if k.startswith("NOMAD_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["audit", *args], env=env, catch_exceptions=False)


def assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in (TOKEN, READER, PASSWORD):
            assert secret not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_shows_the_token(acl_cluster, fmt, tmp_path):
    result = run("--address", acl_cluster.url, "--token", TOKEN, "--format", fmt, "--output", f"{fmt}={tmp_path}/r")
    assert result.exit_code == 1, result.output
    assert_clean(result.stdout, result.stderr, (tmp_path / "r").read_text())
    from_env = run("--address", acl_cluster.url, "--format", fmt, env={"NOMAD_TOKEN": TOKEN})
    assert from_env.exit_code == 1
    assert_clean(from_env.output)


def test_errors_do_not_show_the_token(acl_cluster):
    denied = run("--address", acl_cluster.url, "--token", READER, "--namespace", "ops")
    assert denied.exit_code == 2 and "permission denied" in denied.stderr
    unreachable = run("--address", "http://127.0.0.1:9", "--token", TOKEN, "--retries", "0")
    assert unreachable.exit_code == 2
    acl_cluster.double.fault("/v1/jobs", "garbage")
    garbage = run("--address", acl_cluster.url, "--token", TOKEN)
    assert garbage.exit_code == 2
    assert_clean(denied.output, unreachable.output, garbage.output)


@pytest.mark.parametrize("address", [
    f"http://admin:{PASSWORD}@127.0.0.1:notaport",
    f"ftp://admin:{PASSWORD}@127.0.0.1:21",
    f"http://admin:{PASSWORD}@",
    f"http://admin:{PASSWORD}@127.0.0.1:9",
    f"https://admin:{PASSWORD}@127.0.0.1:9",
])
def test_addresses_with_credentials_are_never_echoed(address):
    result = run("--address", address, "--retries", "0", "--token", TOKEN)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert_clean(result.output)
    assert "****@" in result.output or "http://127.0.0.1:9" in result.output or "https://127.0.0.1:9" in result.output


def test_credentials_in_the_address_are_sent_as_basic_auth_not_shown(cluster):
    host = cluster.url.split("://")[1]
    result = run("--address", f"http://admin:{PASSWORD}@{host}", "--format", "json")
    assert result.exit_code == 1
    assert_clean(result.output)
    assert f'"file": "nomad://{host}/v1/job/api?namespace=default#version=3"' in result.stdout
    auth = {r.headers.get("Authorization") for r in cluster.requests_to("/v1/jobs")}
    assert auth == {"Basic YWRtaW46cGE1NS13MHJkLWRvLW5vdC1wcmludA=="}


@pytest.mark.parametrize("level", ["debug", "info", "warning", "error"])
def test_watch_logs_never_show_the_token(acl_cluster, tmp_path, level):
    acl_cluster.double.stream_faults.append("drop-after:1")  # a reconnect, with its log lines
    proc = subprocess.Popen([venv_tool("jobguard"), "audit", "--watch", "--address", acl_cluster.url, "--token", TOKEN,
                             "--log-level", level, "--change-log", str(tmp_path / "c.jsonl")],
                            cwd=tmp_path, env={k: v for k, v in os.environ.items() if not k.startswith("NOMAD_")},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not acl_cluster.requests_to("/v1/event/stream") and time.monotonic() < deadline:
            time.sleep(0.05)
        for n in range(2):
            acl_cluster.call(acl_cluster.double.change("default", "web", Priority=60 + n))
        acl_cluster.call(acl_cluster.double.change("default", "web", TaskGroups=api_job("w", privileged=True)[
            "TaskGroups"]))
        while len(acl_cluster.requests_to("/v1/event/stream")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    if level == "debug":
        assert "DEBUG" in err and "lost" in err  # the reconnect was logged
    assert_clean(out, err, (tmp_path / "c.jsonl").read_text())
