"""Measure the rule profiles on a corpus: the share of jobs blocked and the findings per job under each profile.

Each job is the API JSON Nomad itself produced for a corpus file (``<file>.json`` under ``corpus/expected/``: what
``nomad job run -output`` printed, i.e. what a cluster would store and ``jobguard audit`` would read), evaluated
with one engine per profile, as if ``jobguard.hcl`` held only ``rules = "<profile>"``; the last column is the
starter ``jobguard.hcl`` that ``jobguard init`` writes (recommended, plus its seed rule blocks and policy).

    python scripts/measure_profiles.py [CORPUS_EXPECTED_DIR]   (default: ../shared/corpus/expected)
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

from jobguard.cli.starter import write_starter
from jobguard.engine import Engine
from jobguard.jobspec import JobspecError, load_api_job

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "expected"
PROFILES = ("recommended", "all", "none")


def engines(tmp: Path) -> dict[str, Engine]:
    out = {}
    for profile in PROFILES:
        directory = tmp / profile
        directory.mkdir()
        (directory / "jobguard.hcl").write_text(f'rules = "{profile}"\n')
        out[profile] = Engine.load(start_dir=directory)
    write_starter(str(tmp / "starter"))
    out["init starter"] = Engine.load(start_dir=tmp / "starter")
    return out


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    jobs = []
    for path in sorted(corpus.rglob("*.json")):
        try:
            jobs.append(load_api_job(json.loads(path.read_text())["Job"], filename=str(path)))
        except (JobspecError, KeyError, ValueError):
            continue
    with tempfile.TemporaryDirectory() as tmp:
        by_profile = engines(Path(tmp))
        print(f"{len(jobs)} corpus jobs ({corpus})\n")
        print(f"{'profile':<14} {'blocked':>14} {'advisory/job':>13} {'median':>7} {'blocking/job':>13}  "
              "top blocking checks (jobs)")
        for name, engine in by_profile.items():
            blocked = 0
            advisory: list[int] = []
            blocking: list[int] = []
            top: Counter[str] = Counter()
            for loaded in jobs:
                result = engine.evaluate(loaded)
                active = [f for f in result.findings if not f.suppressed]
                stops = [f for f in active if f.blocking()]
                blocked += bool(result.blocking())
                advisory.append(len(active) - len(stops))
                blocking.append(len(stops))
                top.update({f.rule for f in stops})
            share = f"{blocked} ({100 * blocked / len(jobs):.1f}%)"
            tops = ", ".join(f"{rule} {n}" for rule, n in top.most_common(4))
            print(f"{name:<14} {share:>14} {statistics.mean(advisory):>13.2f} {statistics.median(advisory):>7.0f} "
                  f"{statistics.mean(blocking):>13.2f}  {tops}")


if __name__ == "__main__":
    main()
