"""jobguard.hcl: parsing, schema validation and every error kind with its position."""

from __future__ import annotations

import datetime as dt

import pytest

from jobguard.engine.config import find_config, load_config, parse_config
from jobguard.engine.errors import ConfigError

from .conftest import write

FULL = """\
policy "restrict-images" {
  source            = "./policies/restrict-images.sentinel"   # relative to the config file
  enforcement_level = "soft-mandatory"
  params            = { allowed = ["nginx"] }
}
rule "approved-artifact-sources" {
  enforcement_level = "hard-mandatory"
  params = { allowed = ["https://releases.example.com/", "git::https://github.com/example-org/"] }
  non_waivable = true
}
rule "no-latest-tag" { enabled = false }
exception "legacy-batch" {
  rules   = ["no-inline-secrets"]
  jobs    = ["legacy-*"]
  reason  = "moving to Vault by Q1"
  expires = "2027-03-31"
}
proxy { upstream = "http://127.0.0.1:4646"  listen = "127.0.0.1:4647"  override_acl_policies = ["ops"]
        dry_run = false  fail_open = false  max_body_bytes = 10485760  decision_log = "-"
        tls_cert = "" tls_key = "" tls_client_ca = "" upstream_ca = ""
        upstream_client_cert = "" upstream_client_key = "" }
"""


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "cfg/jobguard.hcl")
    return [str(d) for d in info.value.diagnostics]


def test_full_example_parses_into_typed_blocks():
    config = parse_config(FULL, "cfg/jobguard.hcl")
    policy = config.policies["restrict-images"]
    assert policy.source == "cfg/policies/restrict-images.sentinel"
    assert (policy.enforcement_level, policy.params) == ("soft-mandatory", {"allowed": ["nginx"]})
    assert (policy.position.line, policy.position.column) == (1, 1)
    rule = config.rules["approved-artifact-sources"]
    assert rule.non_waivable and rule.enforcement_level == "hard-mandatory"
    assert rule.params["allowed"][1] == "git::https://github.com/example-org/"
    assert config.rules["no-latest-tag"].enabled is False
    (exception,) = config.exceptions
    assert exception.expires == dt.date(2027, 3, 31) and exception.matches_job("legacy-batch-7")
    assert not exception.matches_job("web")
    assert config.proxy["override_acl_policies"] == ["ops"] and config.proxy["max_body_bytes"] == 10485760
    assert config.proxy["dry_run"] is False and config.proxy["decision_log"] == "-"
    assert config.position("rule", "approved-artifact-sources", "params", "allowed", 1).line == 8


def test_no_config_is_the_empty_default():
    config = load_config(None)
    assert (config.path, config.policies, config.rules, config.exceptions, config.proxy) == (None, {}, {}, [], {})


def test_literals_escapes_numbers_and_nested_objects():
    config = parse_config('rule "r" {\n  params = { a = "x\\n\\"y\\"", "b c" = -2, d = 1.5, e = [true, null], '
                          'f = { g: "$${lit}" } }\n}\n', "c.hcl")
    assert config.rules["r"].params == {"a": 'x\n"y"', "b c": -2, "d": 1.5, "e": [True, None],
                                        "f": {"g": "${lit}"}}


def test_syntax_error_has_position():
    (error,) = errors('rule "x" {\n  enabled = \n}\n')
    assert error.startswith("cfg/jobguard.hcl:2:13: Invalid HCL syntax")
    (error,) = errors('rule "x" {\n  enabled = "open\n')
    assert error.startswith("cfg/jobguard.hcl:2:") and "Invalid HCL syntax" in error


def test_bad_enforcement_level_points_at_the_value():
    (error,) = errors('rule "x" {\n  enforcement_level = "mandatory"\n}\n')
    assert error.startswith("cfg/jobguard.hcl:2:23: Invalid value")
    assert "'mandatory' is not one of 'advisory', 'soft-mandatory', 'hard-mandatory'" in error


def test_unknown_argument_points_at_the_argument():
    (error,) = errors('rule "x" {\n  enabled = true\n  level = "advisory"\n}\n')
    assert error.startswith("cfg/jobguard.hcl:3:3: Unsupported argument 'level'")
    assert "enforcement_level" in error


def test_wrong_type_and_all_errors_at_once():
    found = errors('proxy {\n  upstream = "nomad:4646"\n  max_body_bytes = "big"\n  dry_run = "no"\n}\n')
    assert [e.split(": ")[0] for e in found] == ["cfg/jobguard.hcl:2:14", "cfg/jobguard.hcl:3:20",
                                                 "cfg/jobguard.hcl:4:13"]
    assert "is not of type 'integer'" in found[1] and "is not of type 'boolean'" in found[2]


@pytest.mark.parametrize("text, expected", [
    ('foo "x" {}\n', "cfg/jobguard.hcl:1:1: Unsupported block type 'foo'"),
    ('version = 2\n', "cfg/jobguard.hcl:1:1: Unsupported argument 'version'"),
    ('rule {}\n', "cfg/jobguard.hcl:1:1: Wrong number of labels for 'rule'"),
    ('proxy "p" {}\n', "cfg/jobguard.hcl:1:1: Wrong number of labels for 'proxy'"),
    ('rule "x" {}\nrule "x" {}\n', 'cfg/jobguard.hcl:2:1: Duplicate rule block "x"; already defined at '
                                   'cfg/jobguard.hcl:1:1'),
    ('proxy {}\nproxy {}\n', "cfg/jobguard.hcl:2:1: Duplicate proxy block"),
    ('rule "x" {\n  enabled = true\n  enabled = false\n}\n', "cfg/jobguard.hcl:3:3: Duplicate argument 'enabled'"),
    ('rule "x" {\n  params { a = 1 }\n}\n', "cfg/jobguard.hcl:2:3: Unsupported block type 'params'"),
    ('rule "x" {\n  params = var.p\n}\n', "cfg/jobguard.hcl:2:12: Unsupported expression"),
    ('rule "x" {\n  params = { a = "${env}" }\n}\n', "cfg/jobguard.hcl:2:18: Unsupported expression"),
    ('policy "p" {\n  enforcement_level = "advisory"\n}\n', "cfg/jobguard.hcl:1:1: Missing required argument"),
    ('exception "e" {\n  rules = ["a"]\n  jobs = ["b"]\n  reason = " "\n}\n',
     "cfg/jobguard.hcl:4:12: Invalid value; at exception.e.reason: must not be empty"),
    ('exception "e" {\n  rules = ["a"]\n  jobs = ["b"]\n}\n', "cfg/jobguard.hcl:1:1: Missing required argument"),
    ('exception "e" {\n  rules = []\n  jobs = ["b"]\n  reason = "r"\n}\n', "cfg/jobguard.hcl:2:11: Invalid value"),
    ('exception "e" {\n  rules = ["a"]\n  jobs = ["b"]\n  reason = "r"\n  expires = "2027-02-30"\n}\n',
     "cfg/jobguard.hcl:5:13: Invalid date"),
    ('rule "x" {\n  severity = "urgent"\n}\n', "cfg/jobguard.hcl:2:14: Invalid value"),
])
def test_error_kinds_with_positions(text, expected):
    assert any(e.startswith(expected) for e in errors(text)), errors(text)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="Configuration file not found"):
        load_config(tmp_path / "nope.hcl")
    bad = tmp_path / "jobguard.hcl"
    bad.write_bytes(b"\xff\xfe rule")
    with pytest.raises(ConfigError, match="Cannot read configuration file"):
        load_config(bad)


def test_find_config_walks_upwards(tmp_path):
    config = write(tmp_path / "jobguard.hcl", "")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == str(config)
    assert find_config(tmp_path / "a") == str(config)
    write(deep / "jobguard.hcl", "")
    assert find_config(deep) == str(deep / "jobguard.hcl")


def test_proxy_block_takes_the_serve_settings():
    """Every `jobguard serve` setting that makes sense in a file is accepted in `proxy { }` and reaches the proxy."""
    from jobguard.proxy.settings import ProxySettings

    config = parse_config('proxy {\n  upstream = "https://nomad.example:4646"\n  upstream_server_name = '
                          '"server.global.nomad"\n  read_timeout = 30\n  header_timeout = 5\n  reload_interval = 0\n'
                          '  override_acl_policies = ["ops"]\n}\n', "c.hcl")
    settings = ProxySettings().merged(config.proxy, {"dry_run": None})
    assert (settings.upstream_server_name, settings.read_timeout, settings.header_timeout,
            settings.reload_interval, settings.override_acl_policies) == (
        "server.global.nomad", 30, 5, 0, ("ops",))
    assert errors('proxy {\n  read_timeout = 0\n}\n')[0].startswith("cfg/jobguard.hcl:2:")


def test_config_is_read_by_the_jobspec_front_end_with_its_limits():
    (error,) = errors('rule "x" {\n  params = { n = ' + "9" * 5000 + " }\n}\n")
    assert error.startswith("cfg/jobguard.hcl:2:18: Limit exceeded")
    (error,) = errors('rule "x" {\n  params = { a = "x ${~ y ~} z" }\n}\n')
    assert error.startswith("cfg/jobguard.hcl:2:18: Unsupported expression")
