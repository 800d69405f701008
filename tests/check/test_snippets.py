from jobguard.check.snippets import is_secret_finding, mask_line, secret_strings, stable_path, value_at
from jobguard.engine.findings import Finding


def make_finding(rule="no-inline-secrets", message="env DB_PASSWORD holds a secret", extra=None, path=(),
                 redact_value=False):
    return Finding(rule=rule, kind="rule", enforcement_level="hard-mandatory", severity="high", message=message,
                   file="a.nomad", extra=extra or {}, path=path, redact_value=redact_value)

JOB = {"TaskGroups": [{"Name": "web", "Tasks": [{"Name": "app", "Env": {"A.B": "x", "DB_PASSWORD": "s3cr3t!!"},
                                                 "Templates": [{"EmbeddedTmpl": "k=v"}]}]}]}


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
    assert is_secret_finding(make_finding(rule="x", message="m", redact_value=True))
    assert is_secret_finding(make_finding(rule="x", message="token ghp_**** in env"))
    assert is_secret_finding(make_finding(rule="vault-templates-required", message="literal",
                                          extra={"category": "secrets"}, path=("Tasks", 0, "Env", "DB_PASSWORD")))
    assert is_secret_finding(make_finding(rule="x", message="m", extra={"category": "secrets"},
                                          path=("Config", "auth_tokens", 0)))
    assert not is_secret_finding(make_finding(rule="secret-templates-in-secrets-dir", message="outside secrets/",
                                              extra={"category": "secrets"}, path=("Templates", 0, "DestPath")))
    assert not is_secret_finding(make_finding(rule="no-latest-tag", message="image uses latest"))


def test_secret_finding_is_declared_by_the_rule_not_known_by_id():
    """No rule ID is special: the seed secret rule's findings are masked because the rule declares
    ``redact_value``, and a finding with its ID but without the flag is an ordinary one."""
    assert not is_secret_finding(make_finding(rule="no-inline-secrets", message="env DB_PASSWORD holds a secret"))
    from jobguard.contract import Rule
    from jobguard.rules.secrets import NoInlineSecrets

    assert NoInlineSecrets.redact_value is True and Rule.redact_value is False
