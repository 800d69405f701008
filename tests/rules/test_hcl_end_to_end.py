"""The seed rules on small HCL jobs loaded by the real loader, findings mapped back to file lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobguard.jobspec import load_file

from .conftest import run_rule

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = ("no-inline-secrets", "vault-templates-required", "connect-requires-bridge", "approved-artifact-sources")
ALLOWED = {"allowed": ["https://releases.example.com/billing/"]}


def line_of(name, needle):
    """1-based line of the first line of a fixture containing ``needle`` (keeps tests independent of layout)."""
    for n, line in enumerate((FIXTURES / name).read_text().splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def lines_of(loaded, violations):
    out = []
    for v in violations:
        pos = loaded.source_map.lookup(v.path)
        out.append(pos.line if pos else 0)
    return out


@pytest.fixture(scope="module")
def bad():
    return load_file(str(FIXTURES / "inline-secrets.nomad.hcl"))


def test_no_inline_secrets_from_hcl(bad):
    out = run_rule("no-inline-secrets", bad)
    by_path = {v.path[-2:]: v for v in out}
    assert ("Env", "STRIPE_API_KEY") in by_path
    assert ("args", 1) in by_path and "variable 'db_password'" in by_path[("args", 1)].message
    assert any(v.path[-1] == "GetterSource" for v in out)
    text = "\n".join(v.message for v in out)
    assert "Pr0d-Db-Passw0rd!" not in text and "sk_live_" not in text and "hunter22" not in text
    lines = lines_of(bad, out)
    bad_file = "inline-secrets.nomad.hcl"
    assert line_of(bad_file, "STRIPE_API_KEY") in lines and line_of(bad_file, "args") in lines


def test_vault_templates_required_from_hcl(bad):
    out = run_rule("vault-templates-required", bad)
    messages = " | ".join(v.message for v in out)
    assert "no vault block" in messages and "STRIPE_API_KEY" in messages


def test_connect_and_artifacts_from_hcl(bad):
    (conn,) = run_rule("connect-requires-bridge", bad)
    assert "'host'" in conn.message and lines_of(bad, [conn]) == [line_of("inline-secrets.nomad.hcl", 'mode = "host"')]
    (art,) = run_rule("approved-artifact-sources", bad, ALLOWED)
    assert "user info" in art.message and "hunter22" not in art.message


def test_clean_job_passes_every_seed_rule():
    loaded = load_file(str(FIXTURES / "vault-clean.nomad.hcl"))
    for rule_id in SEEDS:
        assert run_rule(rule_id, loaded, ALLOWED if rule_id == "approved-artifact-sources" else None) == [], rule_id
    for rule_id in ("secret-templates-in-secrets-dir", "secret-templates-not-world-readable",
                    "artifact-checksum-required", "no-latest-tag"):
        assert run_rule(rule_id, loaded) == [], rule_id
