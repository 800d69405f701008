"""Rule params that are regular expressions: Go/RE2 syntax checked at load time (an error at the value's
file:line:col), and matched in linear time, so neither the config nor a job can make a rule backtrack."""

from __future__ import annotations

import time
from collections.abc import Iterable

import pytest

from jobguard.engine import ConfigError, Engine
from jobguard.goregex import compile_go
from jobguard.hookspec import hookimpl
from jobguard.plugins import create_plugin_manager
from jobguard.rules.base import Rule, RuleContext, Violation, params_object, regex_param

from .conftest import write


class ImagePattern(Rule):
    """Every image must match ``params.pattern`` (a Go regexp)."""

    id = "test-image-pattern"
    title = "Image does not match the approved pattern"
    params_schema = params_object(pattern=regex_param("Go/RE2 pattern every image must match."))
    default_params = {"pattern": "^[a-z0-9./-]+:[0-9][a-z0-9.]*$"}

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        rx = compile_go(self.effective_params(ctx)["pattern"])
        for path, _group, task in ctx.tasks():
            image = str((task.get("Config") or {}).get("image", ""))
            if not rx.test(image):
                yield Violation(f"image {image!r} does not match the approved pattern", path + ("Config", "image"))


class Plugin:
    @hookimpl
    def jobguard_rules(self) -> list[Rule]:
        return [ImagePattern()]


@pytest.fixture
def pm():
    manager = create_plugin_manager(entry_points=False, builtins=False)
    manager.register(Plugin(), name="test-regex")
    return manager


@pytest.mark.parametrize("pattern,message", [
    ("^(a", "missing closing ): `^(a`"),
    (r"(?=x)y", "invalid or unsupported Perl syntax: `(?=`"),
    (r"\\C", "invalid escape sequence: `\\C`"),  # accepted by Python's re and C++ RE2, rejected by Go
])
def test_a_pattern_go_rejects_is_a_config_error_at_the_value(tmp_path, pm, pattern, message):
    write(tmp_path / "jobguard.hcl", f'rule "test-image-pattern" {{\n  params = {{\n    pattern = "{pattern}"\n'
                                     "  }\n}\n")
    with pytest.raises(ConfigError) as info:
        Engine.load(start_dir=tmp_path, plugin_manager=pm)
    (diag,) = info.value.diagnostics
    assert str(diag).startswith(f"{tmp_path}/jobguard.hcl:3:5: rule 'test-image-pattern' params: "
                                "Invalid regular expression")
    assert f"error parsing regexp: {message}" in str(diag)


def test_go_syntax_python_lacks_is_accepted(tmp_path, pm):
    write(tmp_path / "jobguard.hcl",
          'rule "test-image-pattern" {\n  params = { pattern = "^\\\\pL+:[[:digit:]]+\\\\z" }\n}\n')
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    (rule,) = [r for r in engine.rules if r.id == "test-image-pattern"]
    assert compile_go(rule.params["pattern"]).test("nginx:1")


def test_a_backtracking_pattern_from_the_config_is_matched_in_linear_time(tmp_path, pm):
    from .conftest import loaded

    write(tmp_path / "jobguard.hcl",
          'rule "test-image-pattern" {\n  params = { pattern = "^([a-z0-9]+[-.]?)+(:[a-z0-9.]+)?$" }\n}\n')
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    job = loaded()
    job.canonical["TaskGroups"][0]["Tasks"][0]["Config"]["image"] = "a" * 5000 + "!"
    start = time.perf_counter()
    result = engine.evaluate(job)
    assert time.perf_counter() - start < 1.0
    assert any("does not match" in f.message for f in result.findings)
