"""``jobguard rules``: list (text/json), one rule's docs, effective config, unknown IDs (exit 2)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from jobguard.cli import cli

from .conftest import write


def run(*args: str):
    return CliRunner().invoke(cli, ["rules", *args], catch_exceptions=False)


def test_list_as_text_table(tmp_path):
    config = write(tmp_path / "jobguard.hcl", 'rules = "all"\n')  # every rule at its own level
    result = run("--config", str(config))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "LEVEL", "TITLE"]
    row = next(line for line in lines if line.startswith("invalid-suppression "))
    assert row.split()[:3] == ["invalid-suppression", "medium", "soft-mandatory"]
    assert "Suppression is malformed or not allowed" in row
    assert lines[-1].endswith("rules. Details: jobguard rules ID")


def test_list_shows_the_levels_of_the_default_recommended_profile():
    rows = {line.split()[0]: line.split()[2] for line in run().output.splitlines()[1:] if line.strip()}
    assert rows["invalid-suppression"] == "advisory" and rows["resources-declared"] == "advisory"
    assert rows["no-inline-secrets"] == "hard-mandatory" and rows["vault-templates-required"] == "soft-mandatory"


def test_profile_none_lists_unconfigured_rules_as_disabled(tmp_path):
    config = write(tmp_path / "jobguard.hcl", 'rules = "none"\nrule "no-raw-exec" {}\n')
    lines = run("--config", str(config)).output.splitlines()
    assert next(line for line in lines if line.startswith("no-raw-exec ")).split()[2] == "hard-mandatory"
    assert next(line for line in lines if line.startswith("no-latest-tag")).startswith("no-latest-tag (disabled)")
    shown = run("no-latest-tag", "--config", str(config)).output
    assert 'Enabled            no (rules = "none" runs only rules that have a rule block)' in shown


def test_list_as_json():
    result = run("--format", "json")
    entries = {e["id"]: e for e in json.loads(result.output)}
    entry = entries["expired-suppression"]
    assert (entry["severity"], entry["enforcement_level"], entry["enabled"], entry["params"]) == (
        "low", "advisory", True, {})
    assert entry["plugin"] == "jobguard.engine.meta_rules" and "docs" in entry


def test_show_one_rule():
    result = run("invalid-suppression")
    assert result.exit_code == 0
    assert result.output.startswith("invalid-suppression: Suppression is malformed or not allowed\n")
    # the recommended profile (default) makes this hygiene rule advisory; its own level is shown as the default
    assert "Enforcement level  advisory (default soft-mandatory)" in result.output
    assert "Documentation:" in result.output
    assert "Params: none" in result.output


def test_unknown_rule_exits_2_with_did_you_mean():
    result = CliRunner().invoke(cli, ["rules", "invalid-supression"])
    assert result.exit_code == 2
    assert "unknown rule 'invalid-supression'; did you mean invalid-suppression" in result.output


def test_effective_settings_from_config(tmp_path):
    config = write(tmp_path / "jobguard.hcl", 'rule "expired-suppression" {\n  enforcement_level = "hard-mandatory"\n'
                                              '  non_waivable = true\n}\n')
    result = run("expired-suppression", "--config", str(config))
    assert "Enforcement level  hard-mandatory (default advisory)" in result.output
    assert "Non-waivable       yes" in result.output
    entries = json.loads(run("--format", "json", "--config", str(config)).output)
    assert next(e for e in entries if e["id"] == "expired-suppression")["enforcement_level"] == "hard-mandatory"


def test_broken_config_exits_2_with_position(tmp_path):
    config = write(tmp_path / "jobguard.hcl", 'rule "x" {\n  enabled = "yes"\n}\n')
    result = CliRunner().invoke(cli, ["rules", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{config}:2:13: Incorrect type" in result.output
