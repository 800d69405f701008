"""Rule profiles (``rules = "recommended" | "all" | "none"``): which rules run, at which level, with the real rules.

The plain job below is what issue #13 describes: a pinned image, a named datacenter, no ``resources`` block. Under
the old behaviour (``all``) it is blocked by a hygiene rule; under the default ``recommended`` profile it passes
with advisory findings, while a job with a privileged container or an inline secret is still blocked.
"""

from __future__ import annotations

import pytest

from jobguard.engine import ConfigError, Engine
from jobguard.engine.profiles import RECOMMENDED_BLOCKING
from jobguard.jobspec import load_text
from jobguard.plugins import create_plugin_manager

from .conftest import RulesPlugin, write

PLAIN = """\
job "plain" {
  datacenters = ["dc1"]
  group "g" {
    task "app" {
      driver = "docker"
      config {
        image = "nginx:1.27.3"
      }
    }
  }
}
"""

PRIVILEGED = PLAIN.replace('image = "nginx:1.27.3"', 'image = "nginx:1.27.3"\n        privileged = true')
SECRET = PLAIN.replace("driver", 'env {\n        DB_PASSWORD = "hunter2-hunter2"\n      }\n      driver')


def engine_for(tmp_path, config: str | None = None, **kwargs):
    if config is not None:
        write(tmp_path / "jobguard.hcl", config)
    return Engine.load(start_dir=tmp_path, **kwargs)


def levels(engine) -> dict[str, str]:
    return {active.id: active.enforcement_level for active in engine.rules}


def evaluate(engine, source: str = PLAIN):
    return engine.evaluate(load_text(source, filename="plain.nomad.hcl"))


def test_default_is_recommended_and_a_plain_job_passes_with_advice(tmp_path):
    engine = engine_for(tmp_path)
    assert engine.config.profile == "recommended"
    result = evaluate(engine)
    assert not result.blocking()
    rules = {f.rule for f in result.findings}
    assert "resources-declared" in rules  # still reported, as advice
    assert all(f.enforcement_level == "advisory" for f in result.findings)


def test_all_restores_every_rule_at_its_own_level(tmp_path):
    engine = engine_for(tmp_path, 'rules = "all"\n')
    assert levels(engine)["resources-declared"] == "soft-mandatory"
    result = evaluate(engine)
    assert "resources-declared" in {f.rule for f in result.blocking_findings()}


@pytest.mark.parametrize("source, rule", [(PRIVILEGED, "no-privileged-containers"),
                                          (SECRET, "no-inline-secrets")])
def test_recommended_still_blocks_mission_and_critical_security_rules(tmp_path, source, rule):
    result = evaluate(engine_for(tmp_path), source)
    assert rule in {f.rule for f in result.blocking_findings()}


def test_recommended_keeps_own_levels_of_the_listed_rules_and_makes_the_rest_advisory(tmp_path):
    recommended, everything = levels(engine_for(tmp_path)), levels(engine_for(tmp_path / "all", 'rules = "all"\n'))
    assert set(recommended) == set(everything)  # the same rules run
    for rule_id, level in everything.items():
        expected = level if rule_id in RECOMMENDED_BLOCKING else "advisory"
        assert recommended[rule_id] == expected, rule_id
    assert all(everything[r] != "advisory" for r in RECOMMENDED_BLOCKING)  # each listed rule does block


def test_a_rule_block_level_wins_over_the_profile(tmp_path):
    engine = engine_for(tmp_path, 'rule "resources-declared" {\n  enforcement_level = "hard-mandatory"\n}\n'
                                  'rule "no-raw-exec" {\n  params = {}\n}\n')
    assert levels(engine)["resources-declared"] == "hard-mandatory"
    assert levels(engine)["no-raw-exec"] == "hard-mandatory"  # a block without a level: the profile's default
    assert levels(engine)["no-latest-tag"] == "advisory"


def test_none_runs_only_configured_rules_and_policies(tmp_path):
    write(tmp_path / "policies" / "owner.sentinel", 'main = rule { job.meta is not null }\n')
    engine = engine_for(tmp_path, 'rules = "none"\n'
                                  'rule "resources-declared" {}\n'
                                  'rule "no-raw-exec" { enabled = false }\n'
                                  'policy "owner" {\n  source = "./policies/owner.sentinel"\n'
                                  '  enforcement_level = "hard-mandatory"\n}\n')
    assert levels(engine) == {"resources-declared": "soft-mandatory"}  # its own level: "none" does not relax
    result = evaluate(engine)
    assert {f.rule for f in result.findings} == {"resources-declared", "owner"}
    assert result.blocking()


def test_none_runs_a_rule_that_dash_dash_only_names(tmp_path):
    engine = engine_for(tmp_path, 'rules = "none"\n', only=["no-latest-tag"])
    assert levels(engine) == {"no-latest-tag": "soft-mandatory"}


def test_none_with_no_configuration_runs_nothing(tmp_path):
    result = evaluate(engine_for(tmp_path, 'rules = "none"\n'))
    assert result.findings == [] and not result.blocking()


def test_plugin_rules_keep_their_levels_under_recommended(tmp_path):
    pm = create_plugin_manager(entry_points=False, builtins=True)
    pm.register(RulesPlugin(), name="test-rules")
    engine = engine_for(tmp_path, plugin_manager=pm)
    assert levels(engine)["test-floating-tag"] == "soft-mandatory"
    assert levels(engine)["test-env-secret"] == "hard-mandatory"
    assert levels(engine)["no-latest-tag"] == "advisory"


@pytest.mark.parametrize("config, message", [
    ('rules = "strict"\n', "1:9: Invalid value; at rules: 'strict' is not one of 'recommended', 'all', 'none'"),
    ('rules = "all"\nrules = "none"\n', "2:1: Duplicate argument 'rules'; already set at"),
    ("rules = [\"all\"]\n", "1:9: Invalid value; at rules: ['all'] is not one of"),
])
def test_bad_profile_is_a_config_error_at_its_position(tmp_path, config, message):
    with pytest.raises(ConfigError) as info:
        engine_for(tmp_path, config)
    assert message in str(info.value.diagnostics[0])
