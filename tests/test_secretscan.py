"""Credential names, secret values and template scanning (the shared recognisers behind the secret rules)."""

from __future__ import annotations

import pytest

from jobguard.rules.gotemplate import CONSUL_KV, NOMAD_VAR, VAULT, analyze, normalize_dest
from jobguard.secretscan import is_credential_key, is_pointer_key, scan_text, secret_kind


@pytest.mark.parametrize("key,expected", [
    ("DB_PASSWORD", True), ("dbPassword", True), ("client-secret", True), ("API_KEY", True), ("apiKey", True),
    ("APIKEY", True), ("PRIVATE_KEY", True), ("AWS_SECRET_ACCESS_KEY", True), ("GOOGLE_CREDENTIALS", True),
    ("RABBITMQ_DEFAULT_PASS", True), ("VAULT_SECRET_ID", True), ("TLS_KEY", True), ("RUNNER_CFG_PAT", True),
    ("GITHUB_PAT", True), ("PATH", False), ("PATTERN", False),
    ("TOKEN_TTL", False), ("PASSWORD_FILE", False), ("NOMAD_SECRETS_DIR", False), ("SECRET_NAME", False),
    ("PWD", False), ("PASSTHROUGH", False), ("KEYBOARD", False), ("AWS_ACCESS_KEY_ID", False), ("MONKEY", False),
])
def test_is_credential_key(key, expected):
    assert is_credential_key(key) is expected


def test_is_pointer_key():
    assert is_pointer_key("DB_PASSWORD_FILE") and is_pointer_key("tokenPath")
    assert not is_pointer_key("CONFIG_FILE") and not is_pointer_key("DB_PASSWORD")


def test_secret_kind_never_returns_the_value():
    value = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    kind = secret_kind(value, "cert")
    assert kind == "Private Key" and "MII" not in kind


def test_high_entropy_only_for_base64_like_runs():
    assert secret_kind("c2VjcmV0LXZhbHVlLXRoYXQtaXMtcmFuZG9tLTk4NzY1NDMyMQ9xZ", "CONFIG") == "high-entropy string"
    assert secret_kind("a-perfectly-ordinary-value-with-words", "CONFIG") is None
    assert secret_kind("/usr/local/lib/some/very/long/Path/With/Many/Segments", "CONFIG") is None


def test_scan_text_line_numbers_and_masking():
    text = ('user = "app"\n'
            'password = "{{ with secret \\"db\\" }}{{ .Data.pw }}{{ end }}"\n'
            'token: s3cr3t-t0ken-value\n'
            '# url = https://admin:Adm1nPw@host/x\n')
    assert list(scan_text(text)) == [(3, "credential literal"), (4, "password in URL")]


def test_template_sources_and_context():
    info = analyze('{{ with secret "kv/db" }}\nDB_PASSWORD={{ .Data.data.pw }}\n{{ end }}\n'
                   'REDIS_PASSWORD={{ key "redis/pw" }}\nAPI_KEY={{ with nomadVar "nomad/jobs/x" }}{{ .k }}{{ end }}\n'
                   'PLAIN=value\n')
    assert info.sources == {VAULT, CONSUL_KV, NOMAD_VAR} and info.reads_secrets
    env = info.env_vars()
    assert env["DB_PASSWORD"][1].sources == {VAULT}
    assert env["REDIS_PASSWORD"][1].sources == {CONSUL_KV}
    assert env["API_KEY"][1].sources == {NOMAD_VAR}
    assert not env["PLAIN"][1].has_actions


def test_template_custom_delimiters_and_comments():
    info = analyze('[[ with secret "kv/x" ]]A=[[ .Data.a ]][[ end ]]', "[[", "]]")
    assert info.sources == {VAULT}
    assert analyze('{{/* secret "kv/x" }} */}}x').sources == set()


@pytest.mark.parametrize("dest,expected", [
    ("${NOMAD_SECRETS_DIR}/db.txt", "secrets/db.txt"), ("/secrets/db.txt", "secrets/db.txt"),
    ("./local/app.env", "local/app.env"), ("secrets/x", "secrets/x"),
])
def test_normalize_dest(dest, expected):
    assert normalize_dest(dest) == expected


@pytest.mark.parametrize("line,found", [
    ("local/config.sh --unattended --url https://github.com/acme --token  AAQEOZLBXJ2KWQ7TPL4 --labels ci", True),
    ("exec app --password hunter2-prod", True),
    ("exec app --token-file /secrets/token", False),
    ("exec app --password $DB_PASSWORD", False),
    ("exec app --token {{ .Data.data.token }}", False),
    ("exec app --port 8080 --user web", False),
    ("exec app --token pg_token", False),
])
def test_scan_text_finds_the_value_of_a_credential_flag(line, found):
    """A script rendered by a template passes the secret on the command line, as a literal."""
    assert bool(list(scan_text(line))) is found
