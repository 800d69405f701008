"""The runner with the real loader and engine, on the fixture project."""

from __future__ import annotations

import json
import os

import pytest

from jobguard.check import CheckOptions, Runner
from jobguard.check.runner import check_one
from jobguard.engine import Engine
from jobguard.hookspec import hookimpl
from jobguard.plugins import create_plugin_manager
from jobguard.report.json import JsonReporter
from jobguard.rules.base import Rule, Violation

SECRET = "Tr0ub4dor&3-correct-horse"  # the inline password in the project's jobs/secret.nomad.hcl


ONLY = ["no-inline-secrets", "small-memory"]


def run(**kw):
    kw.setdefault("paths", ["jobs"])
    kw.setdefault("jobs", 1)
    return Runner(CheckOptions(**kw)).run()


def by_file(result):
    return {fr.file: fr for fr in result.files}


def test_findings_per_file_in_order(project):
    result = run(only=ONLY, use_cache=False)
    assert [fr.file for fr in result.files] == ["jobs/big.nomad.hcl", "jobs/ok.nomad.hcl", "jobs/secret.nomad.hcl"]
    files = by_file(result)
    assert files["jobs/ok.nomad.hcl"].findings == []
    assert [f.rule for f in files["jobs/big.nomad.hcl"].findings] == ["small-memory"]
    secret = files["jobs/secret.nomad.hcl"].findings
    assert [(f.rule, f.line, f.column, f.job) for f in secret] == [("no-inline-secrets", 13, 9, "secret")]
    assert secret[0].extra["fingerprint"]
    assert result.exit_code() == 1
    assert sorted(files["jobs/ok.nomad.hcl"].checks) == ONLY


def test_shown_lines_never_contain_the_secret(project):
    result = run(only=ONLY, use_cache=False)
    secret = by_file(result)["jobs/secret.nomad.hcl"]
    assert secret.lines[13] == '        DB_PASSWORD = "****"'
    assert set(secret.lines) == {12, 13, 14}  # a line of context either side, for SARIF's contextRegion
    assert SECRET not in json.dumps([fr.to_dict() for fr in result.files])


def test_parse_error_is_reported_and_other_files_still_checked(project):
    (project / "jobs" / "broken.nomad").write_text('job "b" {\n  group "g" {\n')
    result = run(only=ONLY, use_cache=False)
    broken = by_file(result)["jobs/broken.nomad"]
    assert broken.input_error and broken.errors and broken.errors[0].line > 0
    assert broken.errors[0].file == "jobs/broken.nomad"
    assert len(result.files) == 4 and result.exit_code() == 2
    assert by_file(result)["jobs/secret.nomad.hcl"].findings


def test_invalid_utf8_file_is_an_input_error_at_its_position(project):
    (project / "jobs" / "latin1.nomad.hcl").write_bytes(b'job "x" {\n  meta {\n    a = "caf\xe9"\n')
    result = run(only=ONLY, use_cache=False)
    bad = by_file(result)["jobs/latin1.nomad.hcl"]
    assert bad.input_error and [(d.line, d.column, d.summary) for d in bad.errors] == [
        (3, 13, "Invalid file encoding")]
    assert result.exit_code() == 2


def test_stdin(project):
    text = (project / "jobs" / "secret.nomad.hcl").read_text()
    result = run(paths=["-"], stdin_text=text, only=ONLY, use_cache=False)
    assert [fr.file for fr in result.files] == ["-"]
    assert [f.rule for f in result.files[0].findings] == ["no-inline-secrets"]
    assert result.files[0].findings[0].file == "-"


def test_parallel_output_identical_to_serial(project):
    for i in range(6):
        (project / "jobs" / f"copy{i}.nomad.hcl").write_text(
            (project / "jobs" / ("big.nomad.hcl" if i % 2 else "secret.nomad.hcl")).read_text()
            .replace('job "big"', f'job "big{i}"').replace('job "secret"', f'job "secret{i}"'))
    serial = JsonReporter().render(run(use_cache=False, jobs=1))
    parallel = JsonReporter().render(run(use_cache=False, jobs=2))
    assert json.loads(serial)["summary"]["files"] == 9
    assert parallel == serial


def test_parallel_from_a_threaded_process(project):
    """With other threads alive the pool does not fork; fresh workers load their own engine, same output."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert JsonReporter().render(run(use_cache=False, jobs=2)) == JsonReporter().render(run(use_cache=False))
        other = project.parent / "elsewhere"  # a second run from another directory: workers follow the parent
        other.mkdir()
        (other / "solo.nomad.hcl").write_text((project / "jobs" / "secret.nomad.hcl").read_text())
        (other / "duo.nomad.hcl").write_text((project / "jobs" / "ok.nomad.hcl").read_text())
        os.chdir(other)
        result = run(paths=["."], use_cache=False, jobs=2, only=["no-inline-secrets"])
        assert [(f.file, f.rule) for f in result.findings] == [("solo.nomad.hcl", "no-inline-secrets")]
    finally:
        stop.set()
        thread.join()


def test_cache_hits_and_invalidation(project):
    first = run(only=ONLY)
    assert not any(fr.cached for fr in first.files)
    second = run(only=ONLY)
    assert all(fr.cached for fr in second.files)
    assert JsonReporter().render(second) == JsonReporter().render(first)

    # a job changes: only that file is re-evaluated
    job = project / "jobs" / "ok.nomad.hcl"
    job.write_text(job.read_text().replace("memory = 128", "memory = 512"))
    third = run(only=ONLY)
    assert {fr.file: fr.cached for fr in third.files} == {
        "jobs/big.nomad.hcl": True, "jobs/ok.nomad.hcl": False, "jobs/secret.nomad.hcl": True}
    assert [f.rule for f in by_file(third)["jobs/ok.nomad.hcl"].findings] == ["small-memory"]

    # the policy changes: everything is re-evaluated, with the new policy's verdict
    policy = project / "policies" / "small-memory.sentinel"
    policy.write_text(policy.read_text().replace("<= 256", "<= 2048"))
    fourth = run(only=ONLY)
    assert not any(fr.cached for fr in fourth.files)
    assert not any(f.rule == "small-memory" for f in fourth.findings)

    # the config changes: everything is re-evaluated
    config = project / "jobguard.hcl"
    config.write_text(config.read_text().replace('"soft-mandatory"', '"advisory"'))
    fifth = run(only=ONLY)
    assert not any(fr.cached for fr in fifth.files)
    assert all(fr.cached for fr in run(only=ONLY).files)


def test_cache_respects_variables_and_no_cache(project):
    (project / "jobs" / "var.nomad.hcl").write_text(
        'variable "mem" {\n  default = 128\n}\n\njob "var" {\n  datacenters = ["dc1"]\n  group "g" {\n'
        '    task "t" {\n      driver = "docker"\n      config {\n        image = "nginx:1.27.2"\n      }\n'
        '      resources {\n        memory = var.mem\n      }\n    }\n  }\n}\n')
    run(paths=["jobs/var.nomad.hcl"], only=ONLY)
    big = run(paths=["jobs/var.nomad.hcl"], only=ONLY, variables={"mem": "1024"})
    assert not big.files[0].cached and [f.rule for f in big.files[0].findings] == ["small-memory"]
    assert not run(paths=["jobs/var.nomad.hcl"], only=ONLY, use_cache=False).files[0].cached


def test_only_and_skip(project):
    only_secrets = run(only=["no-inline-secrets"], use_cache=False)
    assert {f.rule for f in only_secrets.findings} == {"no-inline-secrets"}
    skipped = run(only=ONLY, skip=["no-inline-secrets"], use_cache=False)
    assert {f.rule for f in skipped.findings} == {"small-memory"}


def test_baseline_survives_line_moves_and_catches_new_findings(project, tmp_path):
    baseline = str(tmp_path / "baseline.json")
    created = run(only=ONLY, use_cache=False, create_baseline=baseline)
    assert created.exit_code() == 0 and all(f.suppressed for f in created.findings)
    assert SECRET not in (tmp_path / "baseline.json").read_text()

    job = project / "jobs" / "secret.nomad.hcl"
    job.write_text("# moved down by a comment\n\n" + job.read_text().replace('LOG_LEVEL   = "info"',
                                                                              'LOG_LEVEL   = "debug"'))
    moved = run(only=ONLY, use_cache=False, baseline=baseline)
    assert moved.exit_code() == 0
    assert [f.line for f in by_file(moved)["jobs/secret.nomad.hcl"].findings] == [15]
    assert all(f.suppression["kind"] == "baseline" for f in moved.findings)

    job.write_text(job.read_text().replace(SECRET, "An0ther-s3cret-Passw0rd!"))
    changed = run(only=ONLY, use_cache=False, baseline=baseline)
    assert changed.exit_code() == 1
    assert [f.suppressed for f in by_file(changed)["jobs/secret.nomad.hcl"].findings] == [False]


def test_config_errors_raise_before_any_file(project):
    from jobguard.engine import ConfigError

    (project / "jobguard.hcl").write_text('policy "x" {\n  source = \n}\n')
    with pytest.raises(ConfigError) as info:
        run()
    assert "jobguard.hcl:" in str(info.value)


def test_internal_errors_are_contained(project, monkeypatch):
    import jobguard.check.runner as runner_mod

    runner = Runner(CheckOptions(paths=["jobs"], jobs=1, only=ONLY, use_cache=False))
    engine = runner.load_engine()
    real = engine.evaluate

    def flaky(loaded, **kw):
        if loaded.id == "big":
            raise RuntimeError("boom")
        return real(loaded, **kw)

    monkeypatch.setattr(engine, "evaluate", flaky)
    result = runner.run()
    big = by_file(result)["jobs/big.nomad.hcl"]
    assert big.internal_error and "RuntimeError: boom" in big.errors[0].summary
    assert by_file(result)["jobs/secret.nomad.hcl"].findings and result.exit_code() == 3
    assert runner_mod._WORKER_ENGINE is None  # a serial run keeps no module-global engine: it used the runner's


def _flag_image_engine(tmp_path, redact: bool):
    """An engine whose only rule flags every task's image, declaring (or not) that the value is a secret."""

    class FlagImage(Rule):
        id = "test-flag-image"
        title = "Flags the image"
        redact_value = redact

        def check(self, ctx):
            for path, _group, _task in ctx.tasks():
                yield Violation("image flagged", path + ("Config", "image"))

    class Plugin:
        @hookimpl
        def jobguard_rules(self):
            return [FlagImage()]

    pm = create_plugin_manager(entry_points=False, builtins=False)
    pm.register(Plugin(), name="flag-image")
    return Engine.load(start_dir=tmp_path, plugin_manager=pm)


def test_a_rule_declaring_redact_value_gets_its_lines_masked(tmp_path):
    """Masking follows the rule's ``redact_value``, not its ID: the same finding is shown in clear without it."""
    job = tmp_path / "web.nomad.hcl"
    job.write_text('job "web" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config {\n'
                   '        image = "registry.example/app:1.2.3"\n      }\n    }\n  }\n}\n', encoding="utf-8")
    masked = check_one(_flag_image_engine(tmp_path, True), str(job), None, {}, [], False)
    clear = check_one(_flag_image_engine(tmp_path, False), str(job), None, {}, [], False)
    assert [f.redact_value for f in masked.findings] == [True] and [f.line for f in masked.findings] == [6]
    assert masked.lines[6] == '        image = "****"' and "registry.example" not in json.dumps(masked.to_dict())
    assert not clear.findings[0].redact_value and clear.lines[6] == '        image = "registry.example/app:1.2.3"'
