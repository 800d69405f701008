"""Credential names, secret values and template scanning (the shared recognisers behind the secret rules)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobguard.rules.gotemplate import CONSUL_KV, NOMAD_VAR, VAULT, analyze, normalize_dest
from jobguard.secretscan import (
    DETECTOR_WINDOW,
    is_credential_key,
    is_pointer_key,
    linear_equivalent,
    pattern_kind,
    scan_text,
    secret_kind,
    url_candidates,
)


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


# -- linear time on hostile values (#17: job files from forks are untrusted) ------------------------------------------

URL_REGEX = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
URL_ALPHABET = "ab9+.-:/ \"'<>xZ@?=\u00e9\t\n"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=URL_ALPHABET, max_size=40))
def test_url_candidates_finds_what_the_regex_finds(text):
    assert list(url_candidates(text)) == [m.group(0) for m in URL_REGEX.finditer(text)]


def _detector_finds(pattern: Any, value: str) -> bool:
    """detect-secrets' own rule (its analyze_string), for a Python or an RE2 pattern: a match counts unless every
    group of it is empty."""
    return any(pattern.groups == 0 or any(m.groups()) for m in pattern.finditer(value))


def _linear_patterns() -> list[tuple[str, re.Pattern[str]]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    return [(name, pattern) for name, cls in sorted(get_mapping_from_secret_type_to_class().items())
            if hasattr(cls, "denylist") for pattern in cls().denylist if linear_equivalent(pattern) is not None]


def test_the_quadratic_detectors_run_on_re2():
    linear = {name for name, _ in _linear_patterns()}
    assert {"JSON Web Token", "NPM tokens", "OpenAI Token"} <= linear


@pytest.mark.parametrize("name,pattern", _linear_patterns(), ids=lambda v: v if isinstance(v, str) else "")
def test_linear_detector_patterns_find_what_python_finds(name, pattern):
    """RE2 runs a detector pattern only where it answers exactly as Python's engine: near-misses included."""
    rx = linear_equivalent(pattern)
    noise = st.text(alphabet="aZ9-_=./:+ \n\t\x1c\x85\u2003\u00e9\"'@", max_size=8)

    @st.composite
    def near_matches(draw):
        text = draw(noise) + draw(st.from_regex(pattern, fullmatch=True)) + draw(noise)
        if text and draw(st.booleans()):  # a near-miss: one character dropped or changed
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + draw(st.sampled_from(["", "!", "\n", " ", "a", "."])) + text[i + 1:]
        return text

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(near_matches())
    def check(text):
        assert _detector_finds(rx, text) == _detector_finds(pattern, text)

    check()


def test_a_token_across_a_window_boundary_is_found():
    token = "glpat-" + "A1b2C3d4E5f6G7h8J9k0"  # a GitLab token: its pattern has a look-ahead, so it runs in windows
    for offset in range(DETECTOR_WINDOW - 40, DETECTOR_WINDOW + 10, 7):
        value = "x " * (offset // 2) + token + " y" * 3000
        assert pattern_kind(value) == "GitLab Token", offset


@pytest.mark.parametrize("unit", ["ab", "a://", "eyJ", "sk-", "//", "://a:", " a=", " --token ", "AC", " clkey'"])
def test_hostile_values_are_scanned_in_linear_time(unit):
    """Shapes that made a backtracking pattern quadratic (minutes on 2 MiB values). Measured against a same-run baseline
    (scanning an ordinary value of the same length), not a wall-clock limit: the ratio is what linear time bounds."""
    size = 1 << 18  # 256 KiB: quadratic patterns took 10 s to minutes here; a linear scan takes ~0.2 s
    hostile = (unit * (size // len(unit) + 1))[:size] + "!"
    ordinary = ("lorem ipsum dolor sit amet " * (size // 27 + 1))[:size]

    def cost(value: str) -> float:
        start = time.process_time()
        secret_kind(value, "V")
        list(scan_text(value))
        return time.process_time() - start

    baseline = cost(ordinary)
    assert cost(hostile) < 25 * baseline + 1.0
