"""Every rule's documented "Good:" example passes the full default rule set (issue #15 item 12).

A user copies the Good example of one rule; it must not then fail another built-in rule. Each example is placed
into a job (tests/rules/docs_examples.py), checked with every built-in rule at its default level plus the
configuration the rule docs themselves show (e.g. the allow-list of approved-artifact-sources), and must have no
blocking finding and no finding of its own rule.
"""

from __future__ import annotations

import pytest

from jobguard.engine import Engine
from jobguard.jobspec import load_text
from jobguard.plugins import create_plugin_manager, discover_rules

from .docs_examples import config_snippets, good_examples, job_from_fragment, split_items

REGISTRY = discover_rules(create_plugin_manager(entry_points=False, builtins=True))
NO_GOOD_EXAMPLE = {"expired-suppression"}  # about suppression comments, not a job shape: nothing to show as Good
EXAMPLES = [(rule_id, n, text) for rule_id, registered in sorted(REGISTRY.items())
            for n, text in enumerate(good_examples(registered.rule.docs))]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """The default rule set with the configuration the rule docs ask users to write."""
    directory = tmp_path_factory.mktemp("docs-config")
    snippets = [s for registered in REGISTRY.values() for s in config_snippets(registered.rule.docs)]
    (directory / "jobguard.hcl").write_text("\n".join(snippets))
    return Engine.load(config_path=directory / "jobguard.hcl",
                       plugin_manager=create_plugin_manager(entry_points=False, builtins=True))


def test_every_rule_documents_a_good_example():
    with_examples = {rule_id for rule_id, _, _ in EXAMPLES}
    assert set(REGISTRY) - with_examples == NO_GOOD_EXAMPLE


def test_the_skeleton_alone_passes_every_rule(engine):
    loaded = load_text(job_from_fragment(""), filename="skeleton.nomad.hcl")
    assert [(f.rule, f.message) for f in engine.evaluate(loaded).findings] == []


@pytest.mark.parametrize(("rule_id", "n", "example"), EXAMPLES, ids=[f"{r}-{n}" for r, n, _ in EXAMPLES])
def test_good_example_passes_the_default_rule_set(engine, rule_id, n, example):
    job = job_from_fragment(example)
    loaded = load_text(job, filename=f"{rule_id}.nomad.hcl")
    result = engine.evaluate(loaded)
    own = [f.message for f in result.findings if f.rule == rule_id and not f.suppressed]
    blocking = [(f.rule, f.message) for f in result.findings if f.blocking()]
    assert not result.errors, result.errors
    assert not own, f"{rule_id}'s own Good example fails it:\n{job}"
    assert not blocking, f"{rule_id}'s Good example fails the default rule set:\n{job}"


def test_fragments_are_placed_where_nomad_takes_them():
    job = job_from_fragment('task "backup" {\n  driver = "exec"\n  config { command = "/bin/true" }\n}')
    assert 'task "backup" {' in job and '\n      driver = "exec"\n      config { command = "/bin/true" }\n' in job
    assert job.count("config {") == 1 and 'driver = "docker"' not in job
    assert "resources {" in job  # what the fragment does not set comes from the skeleton
    items = split_items('# c\nenv { A = "x" }\ntemplate {\n  data = <<EOT\n{{ x }}\n}\nEOT\n}\n')
    assert [(i.name, i.text.splitlines()[0]) for i in items] == [("env", "# c"), ("template", "template {")]
