"""Engine.evaluate: finding fields, enforcement levels and override, policies (false, undefined, runtime error),
policy globals and plugin imports, crashing rules (fail closed)."""

from __future__ import annotations

import pytest

from jobguard.engine import Engine, EvalContext
from jobguard.engine.enforcement import apply_override, blocking, check_level
from jobguard.engine.findings import Finding
from jobguard.hookspec import hookimpl

from .conftest import Crashing, loaded, web_job, write


def engine_with(tmp_path, pm, config: str = "", policies: dict[str, str] | None = None, **kwargs) -> Engine:
    for name, text in (policies or {}).items():
        write(tmp_path / f"{name}.sentinel", text)
    write(tmp_path / "jobguard.hcl", config)
    return Engine.load(start_dir=tmp_path, plugin_manager=pm, **kwargs)


def test_rule_findings_carry_every_field(tmp_path, pm):
    result = engine_with(tmp_path, pm).evaluate(loaded())
    tag = next(f for f in result.findings if f.rule == "test-floating-tag")
    assert tag.to_dict() == {
        "rule": "test-floating-tag", "kind": "rule", "enforcement_level": "soft-mandatory", "severity": "high",
        "message": "image 'nginx:latest' uses a floating tag", "file": "web.nomad.hcl", "line": 7, "column": 9,
        "job": "web", "path": "TaskGroups[0].Tasks[0].Config.image", "suppressed": False, "overridden": False,
        "suppression": None, "title": "Image uses a floating tag",
        "help_uri": "https://example.test/rules/test-floating-tag", "trace": "",
        "extra": {"category": "general", "plugin": "test-rules"}}
    assert (result.job, result.file, result.errors) == ("web", "web.nomad.hcl", [])


def test_paths_without_a_position_fall_back_to_the_nearest_ancestor(tmp_path, pm):
    positions = {(): (1, 1), ("TaskGroups", 0, "Tasks", 0): (4, 5)}
    result = engine_with(tmp_path, pm).evaluate(loaded(positions=positions))
    secret = next(f for f in result.findings if f.rule == "test-env-secret")
    assert (secret.line, secret.column, secret.path_text) == (4, 5, "TaskGroups[0].Tasks[0].Env.DB_PASSWORD")
    side = [f for f in result.findings if f.path[:4] == ("TaskGroups", 0, "Tasks", 1)]
    assert [(f.line, f.column) for f in side] == [(1, 1)]
    empty = engine_with(tmp_path, pm).evaluate(loaded(positions={}))
    assert {f.line for f in empty.findings} == {0}


def test_enforcement_levels_and_override(tmp_path, pm):
    engine = engine_with(tmp_path, pm, 'rule "test-floating-tag" { enforcement_level = "soft-mandatory" }\n')
    job = loaded(job=web_job(priority=5))
    plain = engine.evaluate(job)
    levels = {f.rule: f.enforcement_level for f in plain.findings}
    assert levels == {"test-floating-tag": "soft-mandatory", "test-env-secret": "hard-mandatory",
                      "test-advice": "advisory"}
    assert plain.blocking() and plain.blocking("hard-mandatory")
    assert {f.rule for f in plain.blocking_findings("advisory")} == set(levels)
    assert {f.rule for f in plain.blocking_findings("soft-mandatory")} == {"test-floating-tag", "test-env-secret"}

    overridden = engine.evaluate(job, policy_override=True)
    assert {f.rule for f in overridden.findings if f.overridden} == {"test-floating-tag"}
    assert [f.rule for f in overridden.blocking_findings()] == ["test-env-secret"]
    assert overridden.blocking()  # hard-mandatory is never overridden

    relaxed = engine_with(tmp_path, pm, 'rule "test-env-secret" { enforcement_level = "soft-mandatory" }\n')
    assert not relaxed.evaluate(job, policy_override=True).blocking()
    assert relaxed.evaluate(job).blocking()


def test_advisory_only_never_blocks_by_default(tmp_path, pm):
    engine = engine_with(tmp_path, pm, only=["test-advice"])
    result = engine.evaluate(loaded(job=web_job(priority=1)))
    assert [f.rule for f in result.findings] == ["test-advice"]
    assert not result.blocking() and result.blocking("advisory")
    with pytest.raises(ValueError, match="unknown enforcement level 'warn'"):
        result.blocking("warn")


def test_enforcement_helpers():
    finding = Finding(rule="r", kind="rule", enforcement_level="soft-mandatory", severity="low", message="m",
                      file="f")
    suppressed = Finding(rule="r", kind="rule", enforcement_level="soft-mandatory", severity="low", message="m",
                         file="f", suppressed=True)
    apply_override([finding, suppressed], policy_override=False)
    assert not finding.overridden
    apply_override([finding, suppressed], policy_override=True)
    assert finding.overridden and not suppressed.overridden
    assert blocking([finding, suppressed]) == []
    hard = Finding(rule="r", kind="rule", enforcement_level="hard-mandatory", severity="low", message="m", file="f")
    advisory = Finding(rule="r", kind="rule", enforcement_level="advisory", severity="low", message="m", file="f")
    assert hard.status("soft-mandatory") == "blocking" and advisory.status("soft-mandatory") == "advisory"
    assert check_level("advisory") == "advisory"


def test_crashing_rule_fails_closed(tmp_path, pm):
    class CrashPlugin:
        @hookimpl
        def jobguard_rules(self):
            return [Crashing()]

    pm.register(CrashPlugin(), name="crash")
    result = engine_with(tmp_path, pm, only=["test-crashing"]).evaluate(loaded())
    assert result.findings == []
    (error,) = result.errors
    assert str(error) == "web.nomad.hcl: rule 'test-crashing' crashed; RuntimeError: boom"
    assert result.blocking("hard-mandatory")


POLICIES = {
    "pass": "main = rule { true }\n",
    "images": ('# Images must come from the allow-list\nparam allowed default ["nginx"]\n'
               "images_ok = rule { all job.task_groups as g { all g.tasks as t {\n"
               "  t.config.image in allowed } } }\n"
               'print("checked", job.id)\nmain = rule { images_ok }\n'),
    "undef": "main = rule { job.nonexistent_field }\n",
    "crash": '# Crashes\nmain = rule { error("policy exploded") }\n',
}


def test_policy_outcomes(tmp_path, pm):
    config = "".join(f'policy "{name}" {{\n  source = "{name}.sentinel"\n  enforcement_level = "soft-mandatory"\n}}\n'
                     for name in POLICIES)
    engine = engine_with(tmp_path, pm, config, POLICIES, only=list(POLICIES))
    result = engine.evaluate(loaded())
    policies = {f.rule: f for f in result.findings}
    assert set(policies) == {"images", "undef", "crash"}
    images = policies["images"]
    assert (images.kind, images.enforcement_level, images.severity, images.file, images.line, images.path_text) == (
        "policy", "soft-mandatory", "medium", "web.nomad.hcl", 1, "")
    assert images.message == ("Images must come from the allow-list (failed rules: images_ok); "
                              "output: checked web")
    assert images.title == "Images must come from the allow-list" and "images_ok" in images.trace
    assert "policy result undefined" in policies["undef"].message
    assert "runtime error" in policies["crash"].message and "policy exploded" in policies["crash"].message
    (error,) = result.errors
    assert error.file == f"{tmp_path}/crash.sentinel" and error.line == 2
    assert "policy 'crash' failed with a runtime error on job 'web'" in str(error)
    assert result.blocking() and engine.evaluate(loaded(), policy_override=True).blocking()  # errors fail closed


def test_policy_params_from_config(tmp_path, pm):
    config = ('policy "images" {\n  source = "images.sentinel"\n  enforcement_level = "hard-mandatory"\n'
              '  params = { allowed = ["nginx:latest", "redis:latest"] }\n}\n')
    engine = engine_with(tmp_path, pm, config, {"images": POLICIES["images"]}, only=["images"])
    assert engine.evaluate(loaded()).findings == []


def test_policy_globals_and_plugin_imports(tmp_path, pm):
    policy = ('import "teams"\n'
              'main = rule {\n'
              '  job.task_groups[0].tasks[0].env["DB_PASSWORD"] is "hunter2" and\n'
              '  namespace is "prod" and job_exists and existing_job.priority is 70 and\n'
              '  nomad_acl_token.accessor_id is "abc" and (nomad_acl_token.secret_id else "gone") is "gone" and\n'
              '  "platform" in teams.owners\n'
              '}\n')
    engine = engine_with(tmp_path, pm, 'policy "ctx" { source = "ctx.sentinel" }\n', {"ctx": policy}, only=["ctx"])
    context = EvalContext(existing_job={"ID": "web", "Priority": 70}, job_exists=True, namespace="prod",
                          nomad_acl_token={"AccessorID": "abc", "SecretID": "s3cr3t", "Policies": ["ops"]})
    result = engine.evaluate(loaded(), context=context)
    assert result.findings == [] and result.errors == []
    failing = engine.evaluate(loaded(), context=EvalContext())
    assert [f.rule for f in failing.findings] == ["ctx"] and failing.findings[0].enforcement_level == "advisory"
    assert not failing.blocking()


def deny_engine(tmp_path, pm) -> Engine:
    """An engine running only ``deny``, a policy from the command line that always fails."""
    write(tmp_path / "p" / "deny.sentinel", "main = rule { false }\n")
    return Engine.load(start_dir=tmp_path, plugin_manager=pm, extra_policies=[tmp_path / "p"], only=["deny"])


def test_policy_only_from_command_line_is_hard_mandatory(tmp_path, pm):
    (finding,) = deny_engine(tmp_path, pm).evaluate(loaded()).findings
    assert (finding.rule, finding.enforcement_level, finding.severity) == ("deny", "hard-mandatory", "high")
    assert finding.message == "policy 'deny' failed"


# ``meta { }`` blocks take identifiers only, so ``jobguard_ignore`` is accepted beside ``jobguard.ignore``.
@pytest.mark.parametrize("key", ["jobguard.ignore", "jobguard_ignore"])
def test_policy_findings_can_be_suppressed_by_meta(tmp_path, pm, key):
    job = web_job(meta={key: "deny: known exception"})
    (finding,) = deny_engine(tmp_path, pm).evaluate(loaded(job=job)).findings
    assert finding.suppressed and finding.suppression["reason"] == "known exception"
    assert finding.suppression["kind"] == "meta"


def test_findings_are_sorted_deterministically(tmp_path, pm):
    engine = engine_with(tmp_path, pm)
    first = [f.to_dict() for f in engine.evaluate(loaded()).findings]
    assert first == [f.to_dict() for f in engine.evaluate(loaded()).findings]
    assert [f["line"] for f in first] == sorted(f["line"] for f in first)


def test_policy_output_never_contains_job_secrets(tmp_path, pm):
    policies = {
        "leaky": ('# Leaks env\nprint("env is", job.task_groups[0].tasks[0].env)\n'
                  "main = rule { false }\n"),
        "leaky-error": 'main = rule { error("bad value " + job.task_groups[0].tasks[0].env.DB_PASSWORD) }\n',
    }
    config = "".join(f'policy "{name}" {{ source = "{name}.sentinel" }}\n' for name in policies)
    engine = engine_with(tmp_path, pm, config, policies, only=list(policies))
    job = web_job()
    job["TaskGroups"][0]["Tasks"][0]["Env"]["DB_PASSWORD"] = "correct-horse-battery"
    result = engine.evaluate(loaded(job=job), trace=True)
    assert len(result.findings) == 2 and len(result.errors) == 1
    texts = [f.message + f.trace for f in result.findings] + [str(e) for e in result.errors]
    assert not any("correct-horse-battery" in t for t in texts)
    assert "****" in next(f.message for f in result.findings if f.rule == "leaky")
    assert '"MODE": "prod"' in next(f.message for f in result.findings if f.rule == "leaky")
