from jobguard.check.snippets import mask_line, parse_path, secret_strings, stable_path, value_at
from jobguard.jobspec.sourcemap import format_path

from jobguard.engine.findings import Finding


def make_finding(rule="no-inline-secrets", message="env DB_PASSWORD holds a secret", extra=None, path=""):
    return Finding(rule=rule, kind="rule", enforcement_level="hard-mandatory", severity="high", message=message,
                   file="a.nomad", extra=extra or {}, path=path)

JOB = {"TaskGroups": [{"Name": "web", "Tasks": [{"Name": "app", "Env": {"A.B": "x", "DB_PASSWORD": "s3cr3t!!"},
                                                 "Templates": [{"EmbeddedTmpl": "k=v"}]}]}]}


def test_parse_path_inverts_format_path():
    for path in [("TaskGroups", 0, "Tasks", 1, "Env", "DB_PASSWORD"), ("Meta", "jobguard.ignore"),
                 ("Env", 'we"ird'), ("ID",), ()]:
        assert parse_path(format_path(path)) == path


def test_value_at_and_stable_path():
    path = ("TaskGroups", 0, "Tasks", 0, "Env", "DB_PASSWORD")
    assert value_at(JOB, path) == "s3cr3t!!"
    assert value_at(JOB, ("TaskGroups", 3)) is None
    assert stable_path(JOB, path) == "TaskGroups[web].Tasks[app].Env.DB_PASSWORD"
    assert stable_path(JOB, ("TaskGroups", 0, "Tasks", 0, "Templates", 0)) == "TaskGroups[web].Tasks[app].Templates[0]"


def test_mask_line_hides_the_value_however_written():
    assert mask_line('      DB_PASSWORD = "s3cr3t!!"', ["s3cr3t!!"]) == '      DB_PASSWORD = "****"'
    assert "s3cr3t" not in mask_line("  DB_PASSWORD = s3cr3t!!", [])
    assert "s3cr3t" not in mask_line('  env { DB_PASSWORD = "s3cr3t!!" }', [])
    assert "s3cr3t" not in mask_line('"DB_PASSWORD": "s3cr3t!!",', [])
    assert mask_line("password=s3cr3t!! in a heredoc", ["s3cr3t!!"]) == "password=**** in a heredoc"


def test_secret_strings_walks_containers():
    assert set(secret_strings({"a": ["x1", {"b": "line1\nline2"}]})) == {"x1", "line1\nline2", "line1", "line2"}


def test_secret_finding_detection():
    from jobguard.check.snippets import is_secret_finding

    assert is_secret_finding(make_finding())
    assert is_secret_finding(make_finding(rule="x", message="m", extra={"secret": True}))
    assert is_secret_finding(make_finding(rule="x", message="token ghp_**** in env"))
    assert is_secret_finding(make_finding(rule="vault-templates-required", message="literal",
                                          extra={"category": "secrets"}, path="Tasks[0].Env.DB_PASSWORD"))
    assert not is_secret_finding(make_finding(rule="secret-templates-in-secrets-dir", message="outside secrets/",
                                              extra={"category": "secrets"}, path="Templates[0].DestPath"))
    assert not is_secret_finding(make_finding(rule="no-latest-tag", message="image uses latest"))
