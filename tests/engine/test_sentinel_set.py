"""A Sentinel policy set (sentinel.hcl) as the engine's configuration, and module blocks in jobguard.hcl."""

from __future__ import annotations

import datetime as dt

import pytest

from jobguard.engine.config import load_config
from jobguard.engine.engine import Engine
from jobguard.engine.errors import ConfigError

from .conftest import loaded, write

TODAY = dt.date(2026, 6, 1)

FUNCTIONS = """\
images = func(job) {
  out = []
  for job.task_groups as tg {
    for tg.tasks as t {
      append(out, t.config.image)
    }
  }
  return out
}
"""

POLICY = """\
import "helpers"
import "registry"

param floating default "latest"

main = rule {
  all helpers.images(job) as image { not (image matches ":" + floating + "$") and registry.open }
}
"""

POLICY_SET = """\
module "helpers" {
  source = "./lib/helpers.sentinel"
}

import "static" "registry" {
  source = "./data/registry.json"
  format = "json"
}

param "floating" {
  value = "latest"
}

policy "pinned-images" {
  source            = "./pinned-images.sentinel"
  enforcement_level = "hard-mandatory"
}
"""


@pytest.fixture
def policy_set(tmp_path):
    write(tmp_path / "lib/helpers.sentinel", FUNCTIONS)
    write(tmp_path / "data/registry.json", '{"open": true}')
    write(tmp_path / "pinned-images.sentinel", POLICY)
    return write(tmp_path / "sentinel.hcl", POLICY_SET)


def findings(engine, **kw):
    result = engine.evaluate(loaded(), today=TODAY, **kw)
    return sorted((f.rule, f.enforcement_level) for f in result.findings)


def test_only_the_sets_policies_run(policy_set, pm):
    engine = Engine.load(config_path=policy_set, plugin_manager=pm)
    assert [p.name for p in engine.policies] == ["pinned-images"] and engine.rules == []
    assert engine.policies[0].params == {"floating": "latest"}  # param block -> the policy that declares it
    assert findings(engine) == [("pinned-images", "hard-mandatory")]
    assert [name for name, _ in engine.module_files()] == ["helpers"]


def test_rule_blocks_in_the_set_turn_rules_on(policy_set, pm):
    policy_set.write_text(POLICY_SET + 'rule "test-floating-tag" {\n  enforcement_level = "advisory"\n}\n')
    engine = Engine.load(config_path=policy_set, plugin_manager=pm)
    assert engine.rules and ("test-floating-tag", "advisory") in findings(engine)


def test_mock_and_global_blocks_are_honoured(policy_set, pm):
    policy_set.write_text(POLICY_SET + 'mock "registry" {\n  data = { open = false }\n}\n'
                          'global "extra" {\n  value = 1\n}\n')
    engine = Engine.load(config_path=policy_set, plugin_manager=pm)
    assert engine.config.globals == {"extra": 1} and engine.config.imports["registry"] == {"open": False}
    assert findings(engine) == [("pinned-images", "hard-mandatory")]


@pytest.mark.parametrize("extra, message", [
    ('import "plugin" "tfplan" {\n  source = "./sentinel-import-tfplan"\n}\n',
     ':19:1: import "plugin" "tfplan": no installed jobguard plugin provides this import'),
    ('module "more" {\n  source = "https://example.com/more.sentinel"\n}\n',
     ':20:3: module "more": remote sources are not supported'),
    ('test {\n  rules = {}\n}\n', ':19:1: Unsupported block test'),
    ('policy "x" {\n  source = "./x.sentinel"\n  enforcement_level = "mandatory"\n}\n',
     ":21:3: policy \"x\": invalid enforcement_level 'mandatory'"),
    ('policy "broken" {\n  source = "./broken.sentinel"\n}\n', 'broken.sentinel:1:1: unknown import "nowhere"'),
])
def test_bad_policy_sets(policy_set, pm, extra, message):
    write(policy_set.parent / "broken.sentinel", 'import "nowhere"\nmain = rule { true }\n')
    policy_set.write_text(POLICY_SET + "\n" + extra)
    with pytest.raises(ConfigError) as info:
        Engine.load(config_path=policy_set, plugin_manager=pm)
    assert any(message in str(d) for d in info.value.diagnostics), info.value.diagnostics


def test_module_blocks_in_jobguard_hcl(tmp_path, pm):
    write(tmp_path / "lib/helpers.sentinel", FUNCTIONS)
    write(tmp_path / "p.sentinel", 'import "helpers" as h\nmain = rule { length(h.images(job)) is 2 }\n')
    config = write(tmp_path / "jobguard.hcl", 'module "helpers" {\n  source = "lib/helpers.sentinel"\n}\n'
                                              'policy "p" {\n  source = "p.sentinel"\n}\n')
    engine = Engine.load(config_path=config, plugin_manager=pm)
    assert engine.rules  # a jobguard.hcl keeps the rules on
    assert not [f for f in engine.evaluate(loaded(), today=TODAY).findings if f.rule == "p"]
    config.write_text('module "helpers" {\n  source = "lib/missing.sentinel"\n}\n'
                      'policy "p" {\n  source = "p.sentinel"\n}\n')
    with pytest.raises(ConfigError) as info:
        Engine.load(config_path=config, plugin_manager=pm)
    assert [str(d).split(";")[0] for d in info.value.diagnostics] == [
        f'{config}:1:1: module "helpers": cannot read {tmp_path}/lib/missing.sentinel: No such file or directory']


def test_policy_set_json_form(tmp_path):
    write(tmp_path / "p.sentinel", "main = rule { true }\n")
    path = write(tmp_path / "sentinel.json", '{"policy": {"p": {"source": "p.sentinel", '
                                             '"enforcement_level": "soft-mandatory"}}}')
    config = load_config(path)
    assert config.policies["p"].enforcement_level == "soft-mandatory" and not config.rules_enabled
