"""Shared e2e fixtures: one Nomad API double and one ``jobguard serve`` process for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_support import DoubleServer, ServeProcess, acl_tokens


@dataclass
class ProxyStack:
    double: DoubleServer
    serve: ServeProcess
    decision_log: Path


@pytest.fixture(scope="session")
def proxy_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyStack]:
    """The double (ACLs on, one "ops" token) and ``jobguard serve`` with the fixture config in front of it."""
    log = tmp_path_factory.mktemp("proxy") / "decisions.jsonl"
    double = DoubleServer(tokens=acl_tokens()).start()
    serve = ServeProcess(double.url, decision_log=log)
    try:
        serve.start()
    except Exception:
        double.stop()
        raise
    yield ProxyStack(double, serve, log)
    serve.stop()
    double.stop()
