"""Every suppression form: comments on blocks / above or beside attributes, meta, config exceptions, and the
ways a suppression can fail (expired, no reason, non-waivable, unknown rule, dangling)."""

from __future__ import annotations

import datetime as dt

import pytest

from jobguard.engine import Engine
from jobguard.engine.suppressions import parse_comment, parse_meta

from .conftest import SOURCE, insert_lines, loaded, web_job, write

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def engine(tmp_path, pm):
    return Engine.load(start_dir=tmp_path, plugin_manager=pm)


def run(engine, job):
    return engine.evaluate(job, today=TODAY)


def by_rule(result, rule):
    return [f for f in result.findings if f.rule == rule]


def state(result):
    """(rule, line, suppressed) for the test rules' findings."""
    return sorted((f.rule, f.line, f.suppressed) for f in result.findings if f.rule.startswith("test-"))


def test_unsuppressed_baseline(engine):
    assert state(run(engine, loaded())) == [("test-env-secret", 10, False), ("test-floating-tag", 7, False),
                                            ("test-floating-tag", 17, False)]


def test_comment_above_a_block_covers_everything_inside_it(engine):
    source, positions = insert_lines(3, ['    # jobguard:ignore test-floating-tag, test-env-secret reason="legacy"'])
    result = run(engine, loaded(source, positions=positions))
    assert state(result) == [("test-env-secret", 11, True), ("test-floating-tag", 8, True),
                             ("test-floating-tag", 18, False)]
    finding = by_rule(result, "test-env-secret")[0]
    assert finding.suppression == {"kind": "comment", "reason": "legacy", "expires": None,
                                   "where": "web.nomad.hcl:4:5"}
    assert result.blocking()  # the side task's finding is still there


def test_comment_above_an_attribute_covers_only_that_attribute(engine):
    source, positions = insert_lines(16, ['        # jobguard:ignore test-floating-tag reason="sidecar pinned"',
                                          "        # (a second comment line is fine)"])
    result = run(engine, loaded(source, positions=positions))
    assert state(result) == [("test-env-secret", 10, False), ("test-floating-tag", 7, False),
                             ("test-floating-tag", 19, True)]


def test_trailing_comment_on_the_attribute_line(engine):
    source = SOURCE.replace('DB_PASSWORD = "hunter2"',
                            'DB_PASSWORD = "hunter2" # jobguard:ignore test-env-secret reason="test fixture" '
                            'expires=2026-06-01')
    assert state(run(engine, loaded(source))) == [("test-env-secret", 10, True), ("test-floating-tag", 7, False),
                                                  ("test-floating-tag", 17, False)]


def test_double_slash_comment_above_a_block(engine):
    source, positions = insert_lines(8, ['      // jobguard:ignore test-env-secret reason="dev only"'])
    assert ("test-env-secret", 11, True) in state(run(engine, loaded(source, positions=positions)))


def test_comments_in_json_jobs_are_not_read(engine):
    source, positions = insert_lines(3, ['    # jobguard:ignore test-env-secret reason="x"'])
    assert ("test-env-secret", 11, False) in state(run(engine, loaded(source, positions=positions, fmt="json")))


@pytest.mark.parametrize("level, expected", [
    ("task", [("test-env-secret", 10, False), ("test-floating-tag", 7, True), ("test-floating-tag", 17, False)]),
    ("group", [("test-env-secret", 10, False), ("test-floating-tag", 7, True), ("test-floating-tag", 17, True)]),
    ("job", [("test-env-secret", 10, True), ("test-floating-tag", 7, True), ("test-floating-tag", 17, True)]),
])
def test_meta_at_each_level_covers_its_subtree(engine, level, expected):
    value = ("test-floating-tag: pinned by digest at deploy" if level != "job"
             else "test-floating-tag, test-env-secret: legacy; test-advice: fine")
    job = web_job(**{f"{level}_meta" if level != "job" else "meta": {"jobguard.ignore": value}})
    result = run(engine, loaded(job=job))
    assert state(result) == expected
    suppressed = next(f for f in result.findings if f.suppressed)
    assert suppressed.suppression["kind"] == "meta"
    assert not by_rule(result, "invalid-suppression")


def test_config_exception_by_job_glob(tmp_path, pm):
    write(tmp_path / "jobguard.hcl", 'exception "legacy" {\n  rules = ["test-floating-tag"]\n  jobs = ["leg*"]\n'
                                     '  reason = "moving to digests"\n  expires = "2027-03-31"\n}\n')
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    legacy = run(engine, loaded(job=web_job("legacy-web")))
    assert state(legacy) == [("test-env-secret", 10, False), ("test-floating-tag", 7, True),
                             ("test-floating-tag", 17, True)]
    assert by_rule(legacy, "test-floating-tag")[0].suppression == {
        "kind": "exception", "reason": "moving to digests", "expires": "2027-03-31",
        "where": f'{tmp_path}/jobguard.hcl:1:1 (exception "legacy")'}
    assert not any(f.suppressed for f in run(engine, loaded()).findings)


def test_expired_comment_stops_working_and_is_reported(engine):
    comment = '        # jobguard:ignore test-floating-tag reason="temp" expires=2026-05-31'
    source, positions = insert_lines(6, [comment])
    result = run(engine, loaded(source, positions=positions))
    assert ("test-floating-tag", 8, False) in state(result)
    (expired,) = by_rule(result, "expired-suppression")
    assert (expired.line, expired.column, expired.enforcement_level) == (7, 9, "advisory")
    assert "expired on 2026-05-31" in expired.message and "temp" in expired.message


def test_expired_exception_is_reported_for_matching_jobs(tmp_path, pm):
    write(tmp_path / "jobguard.hcl", 'exception "old" {\n  rules = ["test-env-secret"]\n  jobs = ["web"]\n'
                                     '  reason = "r"\n  expires = "2026-01-01"\n}\n')
    result = run(Engine.load(start_dir=tmp_path, plugin_manager=pm), loaded())
    assert ("test-env-secret", 10, False) in state(result)
    (expired,) = by_rule(result, "expired-suppression")
    assert (expired.file, expired.line) == (f"{tmp_path}/jobguard.hcl", 1)


@pytest.mark.parametrize("comment, problem", [
    ("# jobguard:ignore test-env-secret", "a reason is required"),
    ('# jobguard:ignore test-env-secret reason=""', "a reason is required"),
    ("# jobguard:ignore test-env-secret because reasons", "cannot read 'because reasons'"),
    ('# jobguard:ignore test-env-secret reason="x" expires=soon', "expires='soon' is not a date"),
    ('# jobguard:ignore test-env-secret reason="x" until=2027-01-01', "unknown option 'until'"),
])
def test_malformed_comment_does_not_apply_and_is_reported(tmp_path, pm, comment, problem):
    # the level is set here: this test is about invalid-suppression blocking, not about the default profile
    write(tmp_path / "jobguard.hcl", 'rule "invalid-suppression" {\n  enforcement_level = "soft-mandatory"\n}\n')
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    source, positions = insert_lines(9, ["        " + comment])
    result = run(engine, loaded(source, positions=positions))
    assert ("test-env-secret", 11, False) in state(result)
    (invalid,) = by_rule(result, "invalid-suppression")
    assert (invalid.line, invalid.column) == (10, 9) and problem in invalid.message
    assert invalid.blocking()


def test_meta_without_reason_is_reported(engine):
    result = run(engine, loaded(job=web_job(task_meta={"jobguard.ignore": "test-floating-tag"})))
    assert ("test-floating-tag", 7, False) in state(result)
    (invalid,) = by_rule(result, "invalid-suppression")
    assert "a reason is required" in invalid.message and invalid.line == 4  # the task (meta has no own entry)


def test_unknown_rule_in_suppression_suggests_the_closest(engine):
    source, positions = insert_lines(9, ['        # jobguard:ignore test-env-secrets reason="typo"'])
    result = run(engine, loaded(source, positions=positions))
    (invalid,) = by_rule(result, "invalid-suppression")
    assert "unknown rule or policy 'test-env-secrets' (did you mean 'test-env-secret'?)" in invalid.message


def test_dangling_comment_is_reported(engine):
    source, positions = insert_lines(11, ['        # jobguard:ignore test-env-secret reason="nothing below"'])
    (invalid,) = by_rule(run(engine, loaded(source, positions=positions)), "invalid-suppression")
    assert "not on or directly above a block or attribute" in invalid.message


def test_non_waivable_rule_cannot_be_suppressed(tmp_path, pm):
    write(tmp_path / "jobguard.hcl", 'rule "test-env-secret" { non_waivable = true }\n')
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    source, positions = insert_lines(9, ['        # jobguard:ignore test-env-secret reason="please"'])
    result = run(engine, loaded(source, positions=positions))
    (finding,) = by_rule(result, "test-env-secret")
    assert not finding.suppressed and finding.extra["suppression_refused"]["reason"] == "please"
    (invalid,) = by_rule(result, "invalid-suppression")
    assert "non-waivable" in invalid.message and invalid.line == 10
    assert result.blocking("hard-mandatory")


def test_suppression_rules_can_be_configured_like_others(tmp_path, pm):
    write(tmp_path / "jobguard.hcl", 'rule "invalid-suppression" { enabled = false }\n')
    engine = Engine.load(start_dir=tmp_path, plugin_manager=pm)
    source, positions = insert_lines(9, ["        # jobguard:ignore test-env-secret"])
    assert not by_rule(run(engine, loaded(source, positions=positions)), "invalid-suppression")


def test_parse_comment_forms():
    assert parse_comment("# not ours") is None
    parsed = parse_comment('// jobguard:ignore a-b,c reason="x \\"y\\"" expires=2027-01-31')
    assert (parsed.rules, parsed.reason, parsed.expires, parsed.error) == (("a-b", "c"), 'x "y"',
                                                                          dt.date(2027, 1, 31), "")
    assert parse_comment("/* jobguard:ignore a reason=short */").reason == "short"
    assert "needs a rule ID" in parse_comment("# jobguard:ignore").error


def test_parse_meta_forms():
    first, second = parse_meta("a, b: legacy stuff; c: other expires=2027-01-01")
    assert (first.rules, first.reason, second.rules, second.reason, second.expires) == (
        ("a", "b"), "legacy stuff", ("c",), "other", dt.date(2027, 1, 1))
    assert "reason is required" in parse_meta("a")[0].error
    assert "must be a string" in parse_meta(["a"])[0].error
    assert "cannot read" in parse_meta("bad id: x")[0].error


def test_trailing_comment_on_a_block_header_covers_the_block(engine):
    header = '    task "side" {'
    source = SOURCE.replace(header, header + ' # jobguard:ignore test-floating-tag reason="vendor"')
    assert state(run(engine, loaded(source))) == [("test-env-secret", 10, False), ("test-floating-tag", 7, False),
                                                  ("test-floating-tag", 17, True)]


def test_comment_above_the_job_covers_the_whole_job(engine):
    source = '# jobguard:ignore test-env-secret reason="throwaway demo"\n' + SOURCE
    positions = {p: (pos.line + 1, pos.column) for p, pos in loaded().source_map}
    assert ("test-env-secret", 11, True) in state(run(engine, loaded(source, positions=positions)))


STRIP_MARKER_JOB = """\
job "web" {
  meta = { note = "a ${~ "x" ~} b" }
  group "g" {
    task "app" {
      driver = "docker"
      config {
        # jobguard:ignore test-floating-tag reason="demo"
        image = "nginx:latest"
      }
    }
  }
}
"""


@pytest.mark.parametrize("text", [
    STRIP_MARKER_JOB,
    STRIP_MARKER_JOB.replace('meta = { note = "a ${~ "x" ~} b" }', 'meta = { note = "%{~ if true ~}y%{~ endif ~}" }'),
    STRIP_MARKER_JOB.replace('meta = { note = "a ${~ "x" ~} b" }', 'meta = { note = <<EOT  \nx\nEOT  \n  }'),
])
def test_comments_apply_in_jobs_only_the_job_parser_reads(engine, text):
    """A file the loader accepts has its suppression comments read (a strip marker used to make them vanish)."""
    from jobguard.jobspec import load_text

    job = load_text(text, "web.nomad.hcl")
    assert [(f.rule, f.line, f.suppressed) for f in run(engine, job).findings if f.rule.startswith("test-")] == [
        ("test-floating-tag", 8 + text.count("\n") - STRIP_MARKER_JOB.count("\n"), True)]
