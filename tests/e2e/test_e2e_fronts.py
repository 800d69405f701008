"""The product promise: ``jobguard check``, the engine API and ``jobguard serve`` give the same verdict for the same
job and configuration, and a job read from its API JSON (what the proxy receives) is judged like its HCL file.

Every case runs through all fronts; the comparison is on (rule, enforcement_level, suppressed, overridden), the part
of a finding that decides what happens to the job.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from e2e_support import (CONFIG, FIXTURES, JOBS, OPS_TOKEN, check_json, described, finding_keys, http,
                         parse_api_json, read_decisions, run_jobguard, wait_for_decision)


@dataclass(frozen=True)
class Case:
    """A fixture job, whether it is submitted with a policy override, and what must be among its findings."""

    file: str
    override: bool
    must_have: frozenset  # keys (rule, level, suppressed, overridden) that the case exists for
    exit_code: int

    @property
    def path(self) -> Path:
        return JOBS / self.file

    def __str__(self) -> str:
        return self.file + (" +override" if self.override else "")


def _k(rule: str, level: str, suppressed: bool = False, overridden: bool = False) -> tuple[str, str, bool, bool]:
    return (rule, level, suppressed, overridden)


CASES = [
    Case("good.nomad.hcl", False, frozenset(), 0),
    Case("inline-secret.nomad.hcl", False, frozenset({_k("no-inline-secrets", "hard-mandatory")}), 1),
    Case("privileged.nomad.hcl", False, frozenset({_k("no-privileged-containers", "hard-mandatory")}), 1),
    Case("connect-host.nomad.hcl", False, frozenset({_k("connect-requires-bridge", "hard-mandatory")}), 1),
    Case("artifact.nomad.hcl", False, frozenset({_k("approved-artifact-sources", "hard-mandatory")}), 1),
    Case("policy.nomad.hcl", False, frozenset({_k("max-count", "hard-mandatory")}), 1),
    Case("advisory.nomad.hcl", False, frozenset({_k("team-namespace", "advisory"),
                                                 _k("no-default-namespace", "advisory")}), 0),
    Case("suppressed.nomad.hcl", False, frozenset({_k("no-privileged-containers", "hard-mandatory", True)}), 0),
    Case("legacy.nomad.hcl", False, frozenset({_k("no-raw-exec", "hard-mandatory", True)}), 0),
    Case("group-waiver.nomad.hcl", False, frozenset({_k("no-privileged-containers", "hard-mandatory", True)}), 0),
    Case("expired.nomad.hcl", False, frozenset({_k("no-privileged-containers", "hard-mandatory"),
                                                _k("expired-suppression", "advisory")}), 1),
    Case("soft.nomad.hcl", False, frozenset({_k("approved-images", "soft-mandatory")}), 1),
    Case("soft.nomad.hcl", True, frozenset({_k("approved-images", "soft-mandatory", False, True)}), 0),
]
# Suppressed by an HCL comment: the comment lives only in the file, so only the file-based fronts see it.
COMMENTED = Case("commented.nomad.hcl", False,
                 frozenset({_k("no-privileged-containers", "hard-mandatory", True)}), 0)


@pytest.fixture(scope="module")
def engine() -> Any:
    from jobguard.engine import Engine

    return Engine.load(config_path=str(CONFIG), start_dir=str(FIXTURES))


@pytest.fixture(scope="module")
def api_jobs() -> dict[str, dict[str, Any]]:
    """``jobguard parse FILE`` of every fixture job, computed once (a few processes at a time)."""
    files = sorted({case.file for case in CASES})
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(files, pool.map(lambda name: parse_api_json(JOBS / name), files), strict=True))


def _groups(cases: list[Case]) -> dict[tuple[bool, int], list[Case]]:
    """Cases that can share one ``jobguard check`` run: same override flag and same expected exit code."""
    out: dict[tuple[bool, int], list[Case]] = {}
    for case in cases:
        out.setdefault((case.override, case.exit_code), []).append(case)
    return out


def _check_groups(cases: list[Case], path_of: Any) -> dict[Case, dict[str, Any]]:
    """One ``jobguard check --format json`` per group (a run takes ~1 s); each run must exit with its group's
    code. Returns each case's own slice of the report: its findings and its file's errors."""
    groups = list(_groups(cases).items())

    def run(item: tuple[tuple[bool, int], list[Case]]) -> tuple[int, dict[str, Any]]:
        (override, _), group = item
        paths = [str(path_of(c)) for c in group]
        return check_json(paths[0], *(["--policy-override"] if override else []), *paths[1:])

    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(run, groups))
    out: dict[Case, dict[str, Any]] = {}
    for ((_, exit_code), group), (code, report) in zip(groups, runs, strict=True):
        paths = [str(path_of(c)) for c in group]
        assert code == exit_code, (paths, report["summary"])
        assert report["summary"]["exit_code"] == code and report["summary"]["passed"] is (code == 0)
        assert report["summary"]["files"] == len(group)
        for case, path in zip(group, paths, strict=True):
            out[case] = {"findings": [f for f in report["findings"] if f["file"] == path],
                         "errors": [e for e in report["errors"] if e["file"] == path]}
    return out


@pytest.fixture(scope="module")
def cli_reports() -> dict[Case, dict[str, Any]]:
    """``jobguard check`` on the HCL files."""
    return _check_groups([*CASES, COMMENTED], lambda c: c.path)


@pytest.fixture(scope="module")
def cli_api_reports(api_jobs: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
                    ) -> dict[Case, dict[str, Any]]:
    """``jobguard check`` on the API JSON of the same jobs, written to files as ``nomad job run -output`` would."""
    root = tmp_path_factory.mktemp("api-json")
    for case in CASES:
        (root / f"{case.path.stem}.json").write_text(json.dumps(api_jobs[case.file]))
    return _check_groups(CASES, lambda c: root / f"{c.path.stem}.json")


@pytest.mark.parametrize("case", [*CASES, COMMENTED], ids=str)
def test_cli_and_engine_agree(case: Case, engine: Any, cli_reports: dict[Case, dict[str, Any]]) -> None:
    from jobguard.jobspec import load_file

    report = cli_reports[case]
    assert not report["errors"], report["errors"]
    cli_keys = finding_keys(report["findings"])
    result = engine.evaluate(load_file(str(case.path)), policy_override=case.override)
    assert not result.errors
    assert cli_keys == finding_keys(result.findings)
    assert case.must_have <= cli_keys, f"{case}: expected {set(case.must_have)} among {cli_keys}"
    assert case.exit_code == int(result.blocking(fail_on="soft-mandatory"))
    if case.file == "good.nomad.hcl":  # meets every guardrail of the config: any finding is a false positive
        assert cli_keys == set()


# Findings about a waiver name where the waiver is in their message: file:line:col for a file, the API path for JSON.
WAIVER_RULES = ("expired-suppression", "invalid-suppression")


def _without_position(finding: dict[str, Any]) -> dict[str, Any]:
    """A finding minus where its source is (file, line, column; the suppression's location)."""
    dropped = ("file", "line", "column", "extra") + (("message",) if finding["rule"] in WAIVER_RULES else ())
    out = {k: v for k, v in finding.items() if k not in dropped}
    if out.get("suppression"):
        out["suppression"] = {k: v for k, v in out["suppression"].items() if k != "where"}
    return out


@pytest.mark.parametrize("case", CASES, ids=str)
def test_api_json_judged_like_the_hcl_file(case: Case, engine: Any, api_jobs: dict[str, dict[str, Any]],
                                           cli_api_reports: dict[Case, dict[str, Any]]) -> None:
    from jobguard.jobspec import load_api_job, load_file

    from_hcl = engine.evaluate(load_file(str(case.path)), policy_override=case.override)
    from_api = engine.evaluate(load_api_job(api_jobs[case.file]["Job"]), policy_override=case.override)

    def norm(result: Any) -> list[str]:
        return sorted(json.dumps(_without_position(f.to_dict()), sort_keys=True) for f in result.findings)

    assert norm(from_api) == norm(from_hcl)
    # and through the CLI (its exit code is checked per group by the fixture)
    report = cli_api_reports[case]
    assert not report["errors"], report["errors"]
    assert finding_keys(report["findings"]) == finding_keys(from_hcl.findings)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_proxy_agrees_with_cli(case: Case, proxy_stack: Any, api_jobs: dict[str, dict[str, Any]],
                               cli_reports: dict[Case, dict[str, Any]]) -> None:
    report = cli_reports[case]
    cli_keys = finding_keys(report["findings"])
    job = api_jobs[case.file]["Job"]
    job_id = job["ID"]
    body: dict[str, Any] = {"Job": job}
    if case.override:
        body["PolicyOverride"] = True
    writes_before = len(proxy_stack.double.double.writes_to())
    log_before = len(read_decisions(proxy_stack.decision_log))

    status, _, raw = http("PUT", proxy_stack.serve.url + "/v1/jobs", body, headers={"X-Nomad-Token": OPS_TOKEN})

    decision = wait_for_decision(proxy_stack.decision_log, job_id, after=log_before)
    assert finding_keys(decision["findings"]) == cli_keys
    unsuppressed = [f for f in report["findings"] if not f["suppressed"]]
    blocking = {(f["enforcement_level"], f["kind"], f["rule"], False) for f in unsuppressed
                if f["status"] == "blocking"}
    passing = {(f["enforcement_level"], f["kind"], f["rule"], f["overridden"]) for f in unsuppressed
               if f["status"] != "blocking"}
    reached_nomad = len(proxy_stack.double.double.writes_to()) > writes_before
    if case.exit_code == 1:
        text = raw.decode()
        assert status == 403, text
        n_blocking = sum(1 for f in unsuppressed if f["status"] == "blocking")
        assert text.startswith(f'jobguard denied job "{job_id}": {n_blocking} failed check')
        assert described(text) == blocking
        assert not reached_nomad
    else:
        assert status == 200, raw
        answer = json.loads(raw)
        assert described(answer["Warnings"]) == passing
        if passing:
            n_passing = sum(1 for f in unsuppressed if f["status"] != "blocking")
            assert answer["Warnings"].startswith(f"{n_passing} warning")
        assert reached_nomad
        assert decision["policy_override_honoured"] is case.override
    if not case.override:  # NACP's webhook protocol has no override: errors = blocking, warnings = the rest
        status, _, raw = http("POST", proxy_stack.serve.url + "/v1/jobguard/nacp", {"job": job, "context": {}},
                              headers={"X-Nomad-Token": OPS_TOKEN})
        assert status == 200, raw
        nacp = json.loads(raw)
        assert described("\n".join("* " + e for e in nacp["errors"])) == blocking
        assert described("\n".join("* " + w for w in nacp["warnings"])) == passing


def test_validate_endpoint_reports_the_same_blocking_checks(proxy_stack: Any, api_jobs: dict[str, dict[str, Any]],
                                                            cli_reports: dict[Case, dict[str, Any]]) -> None:
    """``nomad job validate`` through the proxy: 200 with the CLI's blocking checks in ValidationErrors."""
    case = next(c for c in CASES if c.file == "policy.nomad.hcl")
    report = cli_reports[case]
    status, _, raw = http("PUT", proxy_stack.serve.url + "/v1/validate/job", {"Job": api_jobs[case.file]["Job"]},
                          headers={"X-Nomad-Token": OPS_TOKEN})
    assert status == 200
    answer = json.loads(raw)
    blocking = {(f["enforcement_level"], f["kind"], f["rule"], False) for f in report["findings"]
                if f["status"] == "blocking"}
    assert described("\n".join("* " + e for e in answer["ValidationErrors"] or [])) == blocking
    assert answer["Error"].startswith(f"{len(answer['ValidationErrors'])} error")


def test_parse_output_is_what_the_proxy_forwards(proxy_stack: Any, api_jobs: dict[str, dict[str, Any]]) -> None:
    """The good job reaches Nomad as ``jobguard parse`` printed it (the proxy forwards the job it evaluated)."""
    job = api_jobs["good.nomad.hcl"]["Job"]
    stored = [r for r in proxy_stack.double.double.writes_to("/v1/jobs")
              if json.loads(r.body or b"{}").get("Job", {}).get("ID") == job["ID"]]
    if not stored:  # test order independent: register it here if the parametrized case has not run
        status, _, raw = http("PUT", proxy_stack.serve.url + "/v1/jobs", {"Job": job},
                              headers={"X-Nomad-Token": OPS_TOKEN})
        assert status == 200, raw
        stored = [r for r in proxy_stack.double.double.writes_to("/v1/jobs")
                  if json.loads(r.body or b"{}").get("Job", {}).get("ID") == job["ID"]]
    assert json.loads(stored[-1].body)["Job"] == job


def test_parse_canonical_flag_prints_nomad_defaults() -> None:
    """``jobguard parse --canonical`` fills Nomad's defaults (what policies see) where plain parse keeps nulls."""
    plain = run_jobguard("parse", str(JOBS / "good.nomad.hcl"))
    canonical = run_jobguard("parse", "--canonical", str(JOBS / "good.nomad.hcl"))
    assert plain.returncode == canonical.returncode == 0, plain.stderr + canonical.stderr
    assert json.loads(plain.stdout)["Job"]["Type"] is None
    assert json.loads(canonical.stdout)["Job"]["Type"] == "service"


def test_job_read_back_from_nomad_is_judged_the_same(proxy_stack: Any, api_jobs: dict[str, dict[str, Any]],
                                                     cli_reports: dict[Case, dict[str, Any]], tmp_path: Path) -> None:
    """``nomad job inspect`` then ``nomad job run -json``: the job as Nomad stores it (Status, Version, indexes,
    SubmitTime filled in) gets the same verdict from the proxy and from ``jobguard check``."""
    case = next(c for c in CASES if c.file == "advisory.nomad.hcl")
    job = api_jobs[case.file]["Job"]
    headers = {"X-Nomad-Token": OPS_TOKEN}
    url = proxy_stack.serve.url
    status, _, raw = http("PUT", f"{url}/v1/jobs", {"Job": job}, headers=headers)
    assert status == 200, raw
    status, _, raw = http("GET", f"{url}/v1/job/{job['ID']}", headers=headers)
    assert status == 200, raw
    stored = json.loads(raw)
    assert stored["Version"] is not None and stored["Status"]  # really the server's view of the job

    status, _, raw = http("PUT", f"{url}/v1/job/{job['ID']}", {"Job": stored}, headers=headers)
    assert status == 200, raw
    expected = {(f["enforcement_level"], f["kind"], f["rule"], False) for f in cli_reports[case]["findings"]}
    assert described(json.loads(raw)["Warnings"]) == expected
    inspected = tmp_path / "inspected.json"
    inspected.write_text(json.dumps({"Job": stored}))
    code, report = check_json(inspected)
    assert (code, report["errors"]) == (0, [])
    assert finding_keys(report["findings"]) == finding_keys(cli_reports[case]["findings"])


def test_rules_listing_shows_the_levels_check_applies(cli_reports: dict[Case, dict[str, Any]]) -> None:
    """``jobguard rules`` in the project answers "what will check do here?": same levels and params."""
    proc = run_jobguard("rules", "--format", "json", cwd=FIXTURES)
    assert proc.returncode == 0, proc.stderr
    listed = {r["id"]: r for r in json.loads(proc.stdout)}
    used = {(f["rule"], f["enforcement_level"]) for report in cli_reports.values() for f in report["findings"]
            if f["kind"] == "rule"}
    assert used
    for rule, level in used:
        assert listed[rule]["enabled"] and listed[rule]["enforcement_level"] == level, rule
    assert listed["required-meta-keys"]["params"]["keys"] == ["owner", "team"]
    assert listed["approved-artifact-sources"]["params"]["allowed"] == ["https://releases.example.com/tools/"]


# The policies of the fixture config with the params the config gives them, as `jobguard apply --param` takes them.
APPLY_PARAMS = {"max-count": ["max=4"], "approved-images": ['prefixes=["registry.example.com/"]'], "team-namespace": []}


def test_apply_agrees_with_check_on_policy_verdicts(cli_reports: dict[Case, dict[str, Any]]) -> None:
    """Policy authors test with ``jobguard apply`` (like ``sentinel apply``): with the config's params it must pass
    or fail each job exactly as ``jobguard check`` does."""
    cases = [c for c in CASES if c.file in ("good.nomad.hcl", "policy.nomad.hcl", "advisory.nomad.hcl",
                                            "soft.nomad.hcl") and not c.override]
    runs = [(case, policy) for case in cases for policy in APPLY_PARAMS]

    def apply(run: tuple[Case, str]) -> int:
        case, policy = run
        params = [arg for p in APPLY_PARAMS[policy] for arg in ("--param", p)]
        proc = run_jobguard("apply", f"policies/{policy}.sentinel", "--job", str(case.path), *params, cwd=FIXTURES)
        assert "Traceback" not in proc.stderr
        return proc.returncode

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(apply, runs))
    for (case, policy), code in zip(runs, codes, strict=True):
        failed = any(f["rule"] == policy and f["kind"] == "policy" for f in cli_reports[case]["findings"])
        assert code == (1 if failed else 0), (case.file, policy, code)
    assert 1 in codes and 0 in codes
