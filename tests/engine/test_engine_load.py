"""Engine.load: rule configuration, params schemas, policies, --only/--skip, plugins, fingerprint."""

from __future__ import annotations

import pytest

from jobguard.engine import ConfigError, Engine, PluginError
from jobguard.hookspec import hookimpl
from jobguard.plugins import create_plugin_manager, discover_rules
from jobguard.rules.base import Rule

from .conftest import FloatingTag, RulesPlugin, write

ALLOW = '# Only allowed images\nparam allowed default ["nginx"]\nmain = rule { true }\n'


def load(tmp_path, pm, config: str | None = None, **kwargs) -> Engine:
    if config is not None:
        write(tmp_path / "jobguard.hcl", config)
    return Engine.load(start_dir=tmp_path, plugin_manager=pm, **kwargs)


def diagnostics(tmp_path, pm, config: str, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, pm, config, **kwargs)
    return [str(d) for d in info.value.diagnostics]


def test_without_config_every_rule_runs_at_its_default_level(tmp_path, pm):
    engine = load(tmp_path, pm)
    levels = {r.id: (r.enforcement_level, r.severity, r.params) for r in engine.rules}
    assert levels["test-floating-tag"] == ("soft-mandatory", "high", {"tags": ["latest"]})
    assert levels["test-env-secret"] == ("hard-mandatory", "critical", {})
    assert levels["test-advice"] == ("advisory", "info", {})
    assert {"invalid-suppression", "expired-suppression"} <= set(levels)
    assert engine.policies == [] and engine.config.path is None


def test_config_overrides_level_severity_params_and_disables(tmp_path, pm):
    engine = load(tmp_path, pm, 'rule "test-floating-tag" {\n  enforcement_level = "hard-mandatory"\n'
                                '  severity = "low"\n  params = { tags = ["edge"] }\n  non_waivable = true\n}\n'
                                'rule "test-advice" { enabled = false }\n')
    active = {r.id: r for r in engine.rules}
    rule = active["test-floating-tag"]
    assert (rule.enforcement_level, rule.severity, rule.params, rule.non_waivable) == (
        "hard-mandatory", "low", {"tags": ["edge"]}, True)
    assert "test-advice" not in active and "test-advice" in engine.registry


def test_unknown_rule_id_suggests_the_closest(tmp_path, pm):
    (error,) = diagnostics(tmp_path, pm, '\nrule "test-floating-tags" {}\n')
    assert error == (f"{tmp_path}/jobguard.hcl:2:1: Unknown rule 'test-floating-tags'; "
                     "did you mean 'test-floating-tag'?")


def test_params_failing_the_rules_schema_point_at_the_value(tmp_path, pm):
    found = diagnostics(tmp_path, pm, 'rule "test-floating-tag" {\n  params = {\n    tags = [1]\n    bogus = true\n'
                                      '  }\n}\nrule "test-env-secret" { params = { x = 1 } }\n')
    assert found[0].startswith(f"{tmp_path}/jobguard.hcl:3:13: rule 'test-floating-tag' params: Incorrect type")
    assert found[1].startswith(f"{tmp_path}/jobguard.hcl:4:5: rule 'test-floating-tag' params: Unsupported "
                               "argument 'bogus'")
    assert found[2].startswith(f"{tmp_path}/jobguard.hcl:7:37: rule 'test-env-secret' params: Unsupported "
                               "argument 'x'")


def test_missing_policy_file_points_at_source(tmp_path, pm):
    (error,) = diagnostics(tmp_path, pm, 'policy "p" {\n  source = "./nope.sentinel"\n}\n')
    assert error.startswith(f"{tmp_path}/jobguard.hcl:2:12: Policy file not found: {tmp_path}/nope.sentinel")


def test_policy_syntax_errors_name_the_policy_file(tmp_path, pm):
    write(tmp_path / "bad.sentinel", "main = rule {\n")
    (error, *_) = diagnostics(tmp_path, pm, 'policy "bad" { source = "bad.sentinel" }\n')
    assert error.startswith(f"{tmp_path}/bad.sentinel:")


def test_policy_params_unknown_and_missing(tmp_path, pm):
    write(tmp_path / "p.sentinel", "param allowed\nmain = rule { allowed is allowed }\n")
    found = diagnostics(tmp_path, pm, 'policy "p" {\n  source = "p.sentinel"\n  params = { alowed = [] }\n}\n')
    assert found[0].startswith(f"{tmp_path}/jobguard.hcl:3:14: Unknown policy param 'alowed'")
    assert found[1].startswith(f"{tmp_path}/jobguard.hcl:1:1: Missing policy param 'allowed'")


def test_policies_from_config_and_command_line(tmp_path, pm):
    write(tmp_path / "policies" / "allow.sentinel", ALLOW)
    write(tmp_path / "extra" / "second.sentinel", "main = rule { true }\n")
    write(tmp_path / "extra" / "notes.txt", "not a policy")
    engine = load(tmp_path, pm, 'policy "allow" {\n  source = "policies/allow.sentinel"\n'
                                '  params = { allowed = ["redis"] }\n}\n',
                  extra_policies=[tmp_path / "extra", tmp_path / "policies" / "allow.sentinel"])
    specs = {p.name: p for p in engine.policies}
    assert set(specs) == {"allow", "second"}
    assert (specs["allow"].enforcement_level, specs["allow"].params, specs["allow"].origin) == (
        "advisory", {"allowed": ["redis"]}, "config")
    assert (specs["second"].enforcement_level, specs["second"].origin) == ("hard-mandatory", "cli")


def test_command_line_policy_problems(tmp_path, pm):
    write(tmp_path / "a" / "dup.sentinel", "main = rule { true }\n")
    write(tmp_path / "b" / "dup.sentinel", "main = rule { true }\n")
    with pytest.raises(ConfigError) as info:
        load(tmp_path, pm, extra_policies=[tmp_path / "a", tmp_path / "b", tmp_path / "missing"])
    found = [str(d) for d in info.value.diagnostics]
    assert any("Duplicate policy name 'dup'" in e for e in found)
    assert any(e.startswith(f"{tmp_path}/missing: Policy path not found") for e in found)


def test_disabled_policy_is_not_run(tmp_path, pm):
    write(tmp_path / "p.sentinel", ALLOW)
    engine = load(tmp_path, pm, 'policy "p" {\n  source = "p.sentinel"\n  enabled = false\n}\n')
    assert engine.policies == []


def test_only_and_skip(tmp_path, pm):
    write(tmp_path / "p.sentinel", ALLOW)
    config = 'policy "p" { source = "p.sentinel" }\n'
    engine = load(tmp_path, pm, config, only=["test-env-secret,p"])
    assert [r.id for r in engine.rules] == ["test-env-secret"] and [p.name for p in engine.policies] == ["p"]
    engine = load(tmp_path, pm, config, skip=["p", "test-advice"])
    assert "test-advice" not in {r.id for r in engine.rules} and engine.policies == []
    with pytest.raises(ConfigError, match="--only: Unknown rule or policy 'test-env-secrets'; did you mean"):
        load(tmp_path, pm, config, only=["test-env-secrets"])


def test_exception_naming_unknown_rule(tmp_path, pm):
    (error,) = diagnostics(tmp_path, pm, 'exception "e" {\n  rules = ["test-advice", "test-advise2"]\n'
                                         '  jobs = ["*"]\n  reason = "r"\n}\n')
    assert error.startswith(f"{tmp_path}/jobguard.hcl:2:27: Unknown rule or policy 'test-advise2'")


def test_duplicate_rule_ids_across_plugins_are_reported(pm):
    class Copy(Rule):
        id = "test-floating-tag"
        title = "impostor"

        def check(self, ctx):
            return ()

    class Other:
        @hookimpl
        def jobguard_rules(self):
            return [Copy()]

    pm.register(Other(), name="other-plugin")
    with pytest.raises(PluginError, match="Duplicate rule ID 'test-floating-tag'; registered by plugin "
                                          "'test-rules' and by plugin 'other-plugin'"):
        discover_rules(pm)


@pytest.mark.parametrize("attrs, message", [
    ({"id": "Bad_ID"}, "is not kebab-case"),
    ({"id": "ok-id", "severity": "urgent"}, "severity 'urgent'"),
    ({"id": "ok-id", "enforcement_level": "strict"}, "enforcement_level 'strict'"),
])
def test_invalid_rule_metadata_is_a_plugin_error(attrs, message):
    bad = type("Bad", (Rule,), {"check": lambda self, ctx: (), **attrs})

    class Plugin:
        @hookimpl
        def jobguard_rules(self):
            return [bad()]

    manager = create_plugin_manager(entry_points=False, builtins=False)
    manager.register(Plugin(), name="bad-plugin")
    with pytest.raises(PluginError, match=message):
        discover_rules(manager)


def test_duplicate_policy_imports_are_reported(tmp_path, pm):
    class Again:
        @hookimpl
        def jobguard_policy_imports(self):
            return {"teams": {}}

    pm.register(Again(), name="again")
    with pytest.raises(PluginError, match="Duplicate policy import 'teams'"):
        load(tmp_path, pm)


def test_fingerprint_is_stable_and_tracks_config_and_policies(tmp_path, pm):
    policy = write(tmp_path / "p.sentinel", ALLOW)
    config = 'policy "p" { source = "p.sentinel" }\n'
    first = load(tmp_path, pm, config).fingerprint()
    assert first == load(tmp_path, pm, config).fingerprint() and len(first) == 64
    policy.write_text(ALLOW.replace("nginx", "redis"))
    second = load(tmp_path, pm, config).fingerprint()
    assert second != first
    third = load(tmp_path, pm, config + 'rule "test-advice" { enabled = false }\n').fingerprint()
    assert third not in (first, second)
    assert load(tmp_path, pm, config, skip=["test-advice"]).fingerprint() != second


def test_load_args_rebuild_an_equal_engine(tmp_path, pm):
    write(tmp_path / "p.sentinel", ALLOW)
    engine = load(tmp_path, pm, 'policy "p" { source = "p.sentinel" }\n', only=["p", "test-advice"])
    again = Engine.load(plugin_manager=pm, **engine.load_args)
    assert again.fingerprint() == engine.fingerprint()


def test_rule_classes_are_accepted_from_hooks(pm):
    assert isinstance(discover_rules(pm)["test-advice"].rule, Rule)
    assert discover_rules(pm)["test-floating-tag"].rule.__class__ is FloatingTag
    assert RulesPlugin  # the conftest plugin provides both instances and classes


def test_plugin_failures_are_plugin_errors(monkeypatch, pm):
    class Broken:
        @hookimpl
        def jobguard_rules(self):
            raise KeyError("oops")

    pm.register(Broken(), name="broken")
    with pytest.raises(PluginError, match="Plugin 'broken' failed in jobguard_rules\\(\\); KeyError"):
        discover_rules(pm)

    import pluggy

    def explode(self, group, name=None):
        raise ImportError("No module named 'missing_dep'")

    monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints", explode)
    with pytest.raises(PluginError, match="Cannot load a jobguard plugin; ImportError: No module named 'missing_dep'"):
        create_plugin_manager()


def test_process_wide_manager_is_cached_until_refreshed():
    from jobguard.plugins import get_plugin_manager

    first = get_plugin_manager()
    assert get_plugin_manager() is first
    assert get_plugin_manager(refresh=True) is not first
