import os

import pytest

from jobguard.check.discover import discover, looks_like_job

JOB = 'job "web" {\n  group "g" {}\n}\n'
TERRAFORM = 'resource "nomad_job" "web" {\n  jobspec = file("web.nomad")\n}\n'
AGENT = 'data_dir = "/opt/nomad"\nserver {\n  enabled = true\n}\n'


def _write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def test_content_test():
    assert looks_like_job(JOB, "a.hcl")
    assert looks_like_job("# c\njob web {\n}", "a.hcl")
    assert not looks_like_job(TERRAFORM, "main.hcl")
    assert not looks_like_job(AGENT, "agent.hcl")
    assert looks_like_job('{"Job": {"ID": "x"}}', "a.json")
    assert looks_like_job('{"ID": "x", "TaskGroups": []}', "a.json")
    assert looks_like_job('{"job": {"x": {}}}', "a.json")
    assert not looks_like_job('{"name": "pkg", "version": "1"}', "package.json")
    assert not looks_like_job("not json", "a.json")


def test_directory_walk_by_extension_and_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(".", "jobs/web.nomad", JOB)
    _write(".", "jobs/api.nomad.hcl", JOB)
    _write(".", "jobs/b.hcl", JOB)
    _write(".", "jobs/job.json", '{"Job": {"ID": "j"}}')
    _write(".", "jobs/package.json", '{"name": "x"}')
    _write(".", "infra/main.hcl", TERRAFORM)
    _write(".", "infra/main.tf", TERRAFORM)
    _write(".", "agent/nomad.hcl", AGENT)
    _write(".", "jobs/README.md", "job \"x\" {}")
    _write(".", ".git/x.nomad", JOB)
    _write(".", "node_modules/x.nomad", JOB)
    _write(".", "jobs/broken.nomad", "job {{{")  # .nomad is always a job file: its errors must be reported
    sources, errors = discover(["."])
    assert [s.path for s in sources] == ["jobs/api.nomad.hcl", "jobs/b.hcl", "jobs/broken.nomad", "jobs/job.json",
                                         "jobs/web.nomad"]
    assert errors == []


def test_default_is_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(".", "a.nomad", JOB)
    assert [s.path for s in discover([])[0]] == ["a.nomad"]


def test_explicit_files_always_globs_by_content_stdin_and_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(".", "jobs/web.job", JOB)
    _write(".", "jobs/other.job", TERRAFORM)
    _write(".", "weird.txt", JOB)
    sources, errors = discover(["weird.txt", "jobs/*.job", "-", "missing.nomad", "nomatch/*.nomad", "./weird.txt"])
    assert [s.path for s in sources] == ["weird.txt", "jobs/web.job", "-"]
    assert sources[2].is_stdin
    assert [(e.file, e.summary) for e in errors] == [("missing.nomad", "no such file or directory"),
                                                     ("nomatch/*.nomad", "no files match this pattern")]


def test_named_generic_hcl_and_json_files_must_be_jobs(tmp_path, monkeypatch):
    """pre-commit names every staged *.hcl/*.json: the config, Terraform and package.json are not jobs."""
    monkeypatch.chdir(tmp_path)
    _write(".", "jobguard.hcl", 'policy "p" {\n  source = "p.sentinel"\n}\n')
    _write(".", "infra/main.hcl", TERRAFORM)
    _write(".", "package.json", '{"name": "x"}')
    _write(".", "jobs/web.hcl", JOB)
    _write(".", "jobs/broken.nomad.hcl", "job {{{")
    _write(".", "main.tf", TERRAFORM)
    sources, errors = discover(["jobguard.hcl", "infra/main.hcl", "package.json", "jobs/web.hcl",
                                "jobs/broken.nomad.hcl", "main.tf"])
    assert [s.path for s in sources] == ["jobs/web.hcl", "jobs/broken.nomad.hcl", "main.tf"]
    assert errors == []


def test_recursive_glob(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(".", "a/b/c.nomad.hcl", JOB)
    _write(".", "a/d.nomad.hcl", JOB)
    assert [s.path for s in discover(["a/**/*.nomad.hcl"])[0]] == ["a/b/c.nomad.hcl", "a/d.nomad.hcl"]


# --- skipped files, with reasons; configurable extensions ----------------------------------------------------------

from jobguard.check.discover import NOT_A_JOB, discover_files, normalize_extensions  # noqa: E402


def test_walk_reports_what_it_passes_over_and_why(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(".", "jobs/web.nomad", JOB)
    _write(".", "jobs/api.job", JOB)
    _write(".", "jobs/batch.tpl", JOB)
    _write(".", "jobs/export.jsonjob", '{"Job": {"ID": "x", "TaskGroups": []}}')
    _write(".", "jobs/README.md", JOB)  # docs show jobs: not a skipped job
    _write(".", "jobs/notes.txt", "nothing here")
    _write(".", "infra/main.hcl", TERRAFORM)
    _write(".", "package.json", '{"name": "x"}')
    _write(".", "logo.png", "\x89PNG\x00\x00job \"x\" {")
    found = discover_files(["."])
    assert [s.path for s in found.sources] == ["jobs/web.nomad"]
    skipped = {s.path: s.reason for s in found.skipped}
    assert sorted(skipped) == ["infra/main.hcl", "jobs/api.job", "jobs/batch.tpl", "jobs/export.jsonjob",
                               "package.json"]
    assert skipped["infra/main.hcl"] == NOT_A_JOB and skipped["package.json"] == NOT_A_JOB
    assert skipped["jobs/api.job"].startswith("extension .job is not checked")
    assert "--extensions" in skipped["jobs/batch.tpl"] and ".tpl" in skipped["jobs/batch.tpl"]
    assert ".jsonjob" in skipped["jobs/export.jsonjob"]


def test_configured_extensions_replace_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(".", "jobs/web.nomad", JOB)
    _write(".", "jobs/api.job", JOB)
    _write(".", "jobs/broken.job", "job {{{")  # a configured extension is a job file: its errors get reported
    _write(".", "jobs/b.hcl", JOB)
    _write(".", "jobs/main.hcl", TERRAFORM)
    found = discover_files(["jobs"], extensions=["job", ".HCL"])
    assert [s.path for s in found.sources] == ["jobs/api.job", "jobs/b.hcl", "jobs/broken.job"]
    assert {s.path: s.reason for s in found.skipped} == {
        "jobs/main.hcl": NOT_A_JOB,
        "jobs/web.nomad": "extension .nomad is not checked (add it with --extensions or check { extensions = "
                          "[...] } in jobguard.hcl)"}


def test_named_and_globbed_files_that_are_not_jobs_are_reported_as_skipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(".", "jobguard.hcl", 'policy "p" {\n  source = "p.sentinel"\n}\n')
    _write(".", "jobs/a.job", JOB)
    _write(".", "jobs/b.job", TERRAFORM)
    found = discover_files(["jobguard.hcl", "jobs/*.job"])
    assert [s.path for s in found.sources] == ["jobs/a.job"]
    assert [(s.path, s.reason) for s in found.skipped] == [("jobguard.hcl", NOT_A_JOB), ("jobs/b.job", NOT_A_JOB)]


@pytest.mark.parametrize("bad", ["", ".", "a/b", "./x"])
def test_invalid_extensions(bad):
    with pytest.raises(ValueError):
        normalize_extensions([bad])
