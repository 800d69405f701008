"""no-inline-secrets: positives in every place a value can hide, and the look-alikes that are not secrets."""

from __future__ import annotations

import pytest

RULE = "no-inline-secrets"
SECRET = "hunter2-Pr0d-db"  # a literal password: must never appear in a message


def messages(violations):
    return [v.message for v in violations]


def assert_redacted(violations, *values):
    for v in violations:
        for value in values:
            assert value not in v.message


def test_env_password_literal(run, job, task):
    task["Env"] = {"DB_PASSWORD": SECRET, "LOG_LEVEL": "info"}
    out = run(RULE, job)
    assert [v.path for v in out] == [("TaskGroups", 0, "Tasks", 0, "Env", "DB_PASSWORD")]
    assert "credential literal" in out[0].message
    assert_redacted(out, SECRET)


@pytest.mark.parametrize("where", ["job", "group", "task"])
def test_meta_at_every_level(run, job, group, task, where):
    holder = {"job": job, "group": group, "task": task}[where]
    holder["Meta"] = {**(holder.get("Meta") or {}), "api_token": "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2}
    out = run(RULE, job)
    assert len(out) == 1 and out[0].path[-2:] == ("Meta", "api_token")
    assert "ghp_" not in out[0].message


def test_known_token_formats_under_innocent_names(run, job, task):
    task["Env"] = {
        "CONFIG_A": "AKIAIOSFODNN7EXAMPLE",                      # AWS access key id (detect-secrets)
        "CONFIG_B": "hvs.CAESIJq4zZl2hF0ZP1cWmY8kXbQGxV3eUJ9w",   # Vault service token
        "CONFIG_C": "s.Xb7LcQ2mZr9TkV4wYp1nHa8e",                  # legacy Vault token
        "CONFIG_D": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",  # Slack bot token
    }
    out = run(RULE, job)
    kinds = {v.path[-1]: v.message for v in out}
    assert set(kinds) == {"CONFIG_A", "CONFIG_B", "CONFIG_C", "CONFIG_D"}
    assert "Vault service token" in kinds["CONFIG_B"] and "Vault token (legacy format)" in kinds["CONFIG_C"]


def test_nomad_consul_secret_id_only_under_a_token_name(run, job, task):
    uuid = "d3f1c9a2-4b5e-4c6d-8e7f-0a1b2c3d4e5f"
    task["Env"] = {"CONSUL_HTTP_TOKEN": uuid, "ALLOC_REQUEST_ID": uuid}
    out = run(RULE, job)
    assert [v.path[-1] for v in out] == ["CONSUL_HTTP_TOKEN"]
    assert "secret ID" in out[0].message


def test_driver_config_recursively(run, job, task):
    task["Config"].update({
        "auth": [{"username": "deploy", "password": SECRET}],
        "args": ["--listen", ":8080", "--api-key", "k3y-Zx9-value", "--db-url=postgres://app:" + SECRET + "@db/x"],
        "labels": [{"com.example.token": "glpat-" + "x1Y2z3W4v5U6t7S8r9Q0"}],
    })
    out = run(RULE, job)
    paths = {v.path[4:] for v in out}
    assert ("Config", "auth", 0, "password") in paths
    assert ("Config", "args", 3) in paths          # value after a credential flag
    assert ("Config", "args", 4) in paths          # URL with a password inside an argument
    assert ("Config", "labels", 0, "com.example.token") in paths
    assert_redacted(out, SECRET, "k3y-Zx9-value")


def test_artifacts_and_check_headers(run, job, task, group):
    task["Artifacts"] = [
        {"GetterSource": f"https://deploy:{SECRET}@releases.example.com/app.tgz", "GetterOptions": None,
         "GetterHeaders": None},
        {"GetterSource": "s3::https://s3.amazonaws.com/bucket/app.tgz",
         "GetterOptions": {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_access_key_secret": SECRET},
         "GetterHeaders": {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl"}},
        {"GetterSource": "https://releases.example.com/app.tgz", "GetterOptions": None, "GetterHeaders": None},
    ]
    group["Services"] = [{"Name": "web", "PortLabel": "http", "Checks": [
        {"Name": "h", "Type": "http", "Path": "/health", "PortLabel": "",
         "Header": {"X-Api-Key": [SECRET], "Accept": ["application/json"]}}]}]
    out = run(RULE, job)
    paths = {v.path for v in out}
    art = ("TaskGroups", 0, "Tasks", 0, "Artifacts")
    assert art + (0, "GetterSource") in paths
    assert art + (1, "GetterOptions", "aws_access_key_secret") in paths
    assert art + (1, "GetterOptions", "aws_access_key_id") in paths
    assert art + (1, "GetterHeaders", "Authorization") in paths
    assert ("TaskGroups", 0, "Services", 0, "Checks", 0, "Header", "X-Api-Key", 0) in paths
    assert not any(p[:6] == art + (2,) for p in paths)
    assert len(out) == 5
    assert_redacted(out, SECRET)


def test_template_data_lines(run, job, task):
    task["Templates"] = [{"DestPath": "local/app.conf", "LeftDelim": "{{", "RightDelim": "}}", "EmbeddedTmpl": (
        "listen = 8080\n"
        "db_password = \"" + SECRET + "\"\n"
        "api_key = {{ with secret \"kv/data/app\" }}{{ .Data.data.key }}{{ end }}\n"
        "{{/* password = \"in a comment: renders nothing\" }} */}}\n")}]
    out = run(RULE, job)
    assert len(out) == 1 and out[0].path[-1] == "EmbeddedTmpl"
    assert "line 2 " in out[0].message and "3" not in out[0].message.split("line", 1)[1]
    assert_redacted(out, SECRET)


def test_variable_default_that_reaches_the_job(run, job, task):
    task["Config"]["args"] = ["serve", "--conn", "mysql://app@db/x?pw=plain-" + "Q7wE9rT1"]
    out = run(RULE, job, variables={"db_pw": "plain-Q7wE9rT1", "image": "nginx:1.27"},
              variable_sources={"db_pw": "default", "image": "default"})
    assert [v.path[-1] for v in out] == [2]
    assert "variable 'db_pw'" in out[0].message and "plain-Q7wE9rT1" not in out[0].message


def test_variable_from_cli_is_not_the_files_secret(run, job, task):
    task["Env"] = {"CONNECTION": "plain-Q7wE9rT1"}
    assert run(RULE, job, variables={"db_pw": "plain-Q7wE9rT1"}, variable_sources={"db_pw": "cli"}) == []


@pytest.mark.parametrize("key,value", [
    ("DB_PASSWORD", "${NOMAD_META_db_password}"),                         # runtime interpolation
    ("DB_PASSWORD", "{{ with secret \"kv/db\" }}{{ .Data.pw }}{{ end }}"),  # Go-template call
    ("DB_PASSWORD_FILE", "/secrets/db.txt"),                               # pointer to a rendered file
    ("TLS_KEY", "${NOMAD_SECRETS_DIR}/tls.key"),                           # path
    ("TOKEN_TTL", "3600s"),                                                # metadata about a credential
    ("ARTIFACT_CHECKSUM", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),  # sha256 hex
    ("IMAGE_DIGEST", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("GIT_COMMIT", "8f14e45fceea167a5a36dedd4bea2543a1b2c3d4"),            # commit sha
    ("UPSTREAM_URL", "https://api.example.com/v1/items?limit=50"),          # URL without credentials
    ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db:5432/app"),         # password interpolated at runtime
    ("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"),                                 # a flag, not a password
    ("SIDECAR_IMAGE", "envoyproxy/envoy:v1.29.1@sha256:" + "ab" * 32),   # image ref with digest
    ("AUTHORIZED_SSH_KEY", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHt0dG9tIGV4YW1wbGU ops@example"),  # public key
    ("ALLOC_ID", "d3f1c9a2-4b5e-4c6d-8e7f-0a1b2c3d4e5f"),                  # UUID under an innocent name
])
def test_not_secrets(run, job, task, key, value):
    task["Env"] = {key: value}
    assert run(RULE, job) == []


def test_shell_and_code_in_templates_are_not_literals(run, job, task):
    task["Templates"] = [{"DestPath": "local/run.sh", "EmbeddedTmpl": (
        "TOKEN=$(curl -s http://169.254.169.254/latest/api/token)\n"
        "credentials = service_account.Credentials.from_info(info)\n"
        "psql \"postgresql://$PGUSER:$PGPASSWORD@$PGHOST/db\"\n"
        "password: {{ key \"app/db/password\" }}\n")}]
    assert run(RULE, job) == []


def test_credential_flag_and_value_in_one_argument(run, job, task):
    task["Config"]["args"] = ["register", "--token  AAQEOZBRMWMWVTS5EFV534DFLI76E", "--labels linux",
                              "--password", "--interactive"]
    out = run(RULE, job)
    assert [v.path[-1] for v in out] == [1]
    assert "AAQEOZ" not in out[0].message


def test_template_with_custom_delimiters(run, job, task):
    task["Templates"] = [{"DestPath": "local/Caddyfile", "LeftDelim": "[[", "RightDelim": "]]", "EmbeddedTmpl": (
        'header_up X-Nomad-Token "[[ env `NOMAD_TOKEN` ]]"\n'
        'basic_auth { admin_password "Adm1n-Literal-Pw" }\n')}]
    out = run(RULE, job)
    assert len(out) == 1 and "line 2 " in out[0].message


def test_code_references_in_templates(run, job, task):
    task["Templates"] = [{"DestPath": "local/app.py", "EmbeddedTmpl": (
        "conn = connect(host=db_host,\n    password=pg_password,\n)\n")}]
    assert run(RULE, job) == []


def test_digest_under_a_credential_hash_name_is_not_a_secret(run, job, task):
    task["Env"] = {"ADMIN_PASSWORD_SHA256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                   "ADMIN_PASSWORD": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
    assert [v.path[-1] for v in run(RULE, job)] == ["ADMIN_PASSWORD"]
