"""The typed contract every front uses (CLI, Action, proxy, audit): what they may ask an :class:`Engine`."""

from __future__ import annotations

from jobguard.engine import Engine, EvalContext
from jobguard.engine.engine import effective_rules, policy_globals

from .conftest import loaded, write

POLICY = "main = rule { true }\n"


def _engine(tmp_path, pm, config: str) -> Engine:
    write(tmp_path / "jobguard.hcl", config)
    return Engine.load(start_dir=tmp_path, plugin_manager=pm)


def test_effective_rules_lists_disabled_rules_with_their_merged_settings(tmp_path, pm):
    engine = _engine(tmp_path, pm, 'rule "test-advice" { enabled = false }\n'
                                   'rule "test-floating-tag" {\n  severity = "low"\n'
                                   '  params = { tags = ["edge"] }\n}\n')
    rules = {r.id: r for r in engine.effective_rules()}
    assert not rules["test-advice"].enabled and rules["test-advice"].configured
    tag = rules["test-floating-tag"]
    assert (tag.enabled, tag.configured, tag.severity, tag.params) == (True, True, "low", {"tags": ["edge"]})
    assert rules["test-env-secret"].enabled and not rules["test-env-secret"].configured
    # the rules that run are exactly the enabled ones, with the same settings
    assert [(r.id, r.params, r.enforcement_level) for r in engine.rules] == [
        (r.id, r.params, r.enforcement_level) for r in engine.effective_rules() if r.enabled]
    assert effective_rules(engine.config, engine.registry) == engine.effective_rules()


def test_profile_none_runs_only_configured_rules(tmp_path, pm):
    engine = _engine(tmp_path, pm, 'rules = "none"\nrule "test-advice" {}\n')
    enabled = {r.id for r in engine.effective_rules() if r.enabled}
    assert enabled == {"test-advice"} == {r.id for r in engine.rules}


def test_policy_globals_are_built_in_one_place(tmp_path, pm):
    engine = _engine(tmp_path, pm, "")
    token = {"AccessorID": "a-1", "SecretID": "s-3cr3t", "Name": "ci"}
    context = EvalContext(existing_job=loaded(), job_exists=True, namespace="prod", nomad_acl_token=token)
    globals_ = engine.policy_globals(loaded(), context)
    assert globals_["job"]["id"] == "web" and globals_["existing_job"]["id"] == "web"
    assert (globals_["job_exists"], globals_["namespace"]) == (True, "prod")
    assert globals_["nomad_acl_token"] == {"accessor_id": "a-1", "name": "ci"}  # never the SecretID
    assert policy_globals(None, EvalContext()) == {"job": None, "existing_job": None, "job_exists": False,
                                                   "namespace": "default", "nomad_acl_token": None}


def test_files_and_settings_the_fronts_need(tmp_path, pm):
    write(tmp_path / "p.sentinel", POLICY)
    engine = _engine(tmp_path, pm, 'policy "p" {\n  source = "p.sentinel"\n}\n'
                                   'check {\n  extensions = [".job"]\n}\nproxy {\n  dry_run = true\n}\n')
    assert engine.config_file == str(tmp_path / "jobguard.hcl")
    assert engine.source_files() == [str(tmp_path / "jobguard.hcl"), str(tmp_path / "p.sentinel")]
    assert engine.check_extensions() == [".job"]
    assert engine.proxy_block() == {"dry_run": True}
    assert "p" in engine.active_checks() and "test-advice" in engine.active_checks()
    meta = engine.rule_metadata({"test-floating-tag", "p"})
    assert list(meta) == ["test-floating-tag"]
    assert meta["test-floating-tag"]["help_uri"] == "https://example.test/rules/test-floating-tag"


def test_findings_metadata_describes_rules_and_policies_in_findings(tmp_path, pm):
    write(tmp_path / "p.sentinel", "main = rule { false }\n")
    engine = _engine(tmp_path, pm, 'policy "p" {\n  source = "p.sentinel"\n}\n')
    result = engine.evaluate(loaded())
    meta = engine.findings_metadata(result.findings)
    assert set(meta) == {f.rule for f in result.findings} >= {"test-floating-tag", "test-env-secret", "p"}
    assert meta["test-floating-tag"] == {**engine.registry["test-floating-tag"].rule.describe(), "kind": "rule",
                                         "help_uri": "https://example.test/rules/test-floating-tag"}
    assert meta["p"] == {"id": "p", "title": "p", "kind": "policy", "severity": "low",
                         "enforcement_level": "advisory", "help_uri": ""}
    assert engine.findings_metadata([]) == {}


def test_findings_carry_the_path_tuple_and_the_rules_redact_flag(tmp_path, pm):
    engine = _engine(tmp_path, pm, "")
    by_rule = {f.rule: f for f in engine.evaluate(loaded()).findings}
    secret = by_rule["test-env-secret"]
    assert secret.path == ("TaskGroups", 0, "Tasks", 0, "Env", "DB_PASSWORD") and secret.redact_value
    assert secret.path_text == "TaskGroups[0].Tasks[0].Env.DB_PASSWORD"
    assert not by_rule["test-floating-tag"].redact_value


def test_defaults_without_a_config_file(tmp_path, pm):
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    assert engine.config_file is None and engine.source_files() == []
    assert engine.check_extensions() is None and engine.proxy_block() == {}
