"""The rule pack as a whole: registration through the plugin hook, metadata quality, and a clean baseline."""

from __future__ import annotations

import re

import jsonschema
import pytest

from jobguard.engine.findings import ENFORCEMENT_LEVELS, SEVERITIES
from jobguard.rules import BUILTIN_RULES, jobguard_rules

from .conftest import RULES, minimal_job, run_rule

KEBAB = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SEED_RULES = ("no-inline-secrets", "vault-templates-required", "connect-requires-bridge", "approved-artifact-sources")
ALL = sorted(RULES)
# allow-lists configured so that the minimal job's own sources are approved
BASELINE_PARAMS = {"approved-registries": {"allowed": ["registry.example.com"]}}


def test_hook_returns_every_rule_once():
    ids = [r.id for r in jobguard_rules()]
    assert len(ids) == len(set(ids)) == len(BUILTIN_RULES)
    assert set(SEED_RULES) <= set(ids)
    assert len(ids) >= 4 + 25


def test_hook_is_a_pluggy_hookimpl():
    import pluggy

    import jobguard.rules
    from jobguard import hookspec

    pm = pluggy.PluginManager(hookspec.PROJECT)
    pm.add_hookspecs(hookspec)
    pm.register(jobguard.rules, "builtin-rules")
    (rules,) = pm.hook.jobguard_rules()
    assert {r.id for r in rules} == set(RULES)


@pytest.mark.parametrize("rule_id", ALL)
def test_metadata(rule_id):
    rule = RULES[rule_id]
    assert KEBAB.match(rule.id)
    assert rule.severity in SEVERITIES
    assert rule.enforcement_level in ENFORCEMENT_LEVELS
    assert rule.title and rule.category and rule.rationale and rule.remediation
    assert "Bad" in rule.docs and "Good" in rule.docs and rule.docs.count("```hcl") >= 2
    described = rule.describe()
    assert described["id"] == rule_id and described["docs"] == rule.docs


@pytest.mark.parametrize("rule_id", ALL)
def test_params_schema_is_valid_and_defaults_validate(rule_id):
    rule = RULES[rule_id]
    jsonschema.Draft202012Validator.check_schema(rule.params_schema)
    jsonschema.Draft202012Validator(rule.params_schema).validate(rule.default_params)
    assert set(rule.default_params) <= set(rule.params_schema.get("properties", {}))


@pytest.mark.parametrize("rule_id", ALL)
def test_minimal_job_is_clean(rule_id):
    """The fixture job follows every guardrail: each rule's good case, and proof that rules ignore what is fine."""
    assert run_rule(rule_id, minimal_job(), BASELINE_PARAMS.get(rule_id)) == []


@pytest.mark.parametrize("rule_id", ALL)
def test_rules_survive_an_empty_and_a_null_heavy_job(rule_id):
    assert run_rule(rule_id, {}) == [] or rule_id in ("no-default-namespace", "required-meta-keys",
                                                      "no-wildcard-datacenters")
    nulls = {"ID": "x", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Driver": "docker", "Config": None}],
                                         "Networks": None, "Services": None}], "Meta": None}
    assert isinstance(run_rule(rule_id, nulls), list)
