"""``worker_main.judge``: a submitted job loaded, placed and evaluated in one call (one worker round trip)."""

from __future__ import annotations

import pickle
from typing import Any

from jobguard.engine import EvalContext
from jobguard.proxy import gojson
from jobguard.proxy.worker_main import judge

from .conftest import make_job


def _as_received(job: dict[str, Any]) -> Any:
    """The job as the proxy holds it after Go-style decoding, sent to the worker as a pickle."""
    return pickle.loads(pickle.dumps(gojson.decode(gojson.encode(job).encode()), pickle.HIGHEST_PROTOCOL))


def test_judge_loads_places_and_evaluates(engine: Any) -> None:
    seen: dict[str, Any] = {}

    class Spy:
        def evaluate(self, loaded: Any, policy_override: bool, context: Any) -> Any:
            seen.update(ns=loaded.canonical["Namespace"], region=loaded.canonical["Region"], override=policy_override)
            return engine.evaluate(loaded, policy_override=policy_override, context=context)

    verdict, result, forwarded = judge(Spy(), _as_received(make_job(count=9)), ("prod", "eu"), True,
                                       EvalContext(namespace="prod"))
    assert verdict == "result" and seen == {"ns": "prod", "region": "eu", "override": True}
    assert [f.rule for f in result.findings if not f.suppressed] == ["max-count"]
    assert forwarded["TaskGroups"][0]["Count"] == 9 and forwarded["ID"] == "web"


def test_judge_keeps_the_jobs_region_when_nomad_does(engine: Any) -> None:
    verdict, result, forwarded = judge(engine, _as_received(make_job(Region="west")), ("default", ""), False,
                                       EvalContext())
    assert verdict == "result" and not result.errors and forwarded["Region"] == "west"


def test_judge_reports_a_job_the_loader_rejects(engine: Any) -> None:
    verdict, lines, forwarded = judge(engine, _as_received(make_job(count="nine")), ("default", ""), False,
                                      EvalContext())
    assert verdict == "invalid" and forwarded is None
    assert any("Count" in line and "string" in line for line in lines), lines
