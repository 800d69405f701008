"""docs/rules.md is generated from the rules' metadata; this fails when someone changes a rule and forgets to
regenerate it (run ``python scripts/gen_rules_doc.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_rules_doc.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rules_doc", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_rules_doc", module)
    spec.loader.exec_module(module)
    return module


def test_rules_doc_is_up_to_date():
    gen = _generator()
    expected = gen.render()
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == expected, "docs/rules.md is out of date: run `python scripts/gen_rules_doc.py`"


def test_every_shipped_rule_is_documented_once():
    gen = _generator()
    text = gen.render()
    rules = gen.builtin_rules()
    assert len(rules) >= 30
    for rule in rules:
        assert text.count(f"### `{rule['id']}`") == 1, rule["id"]
        assert f"| [`{rule['id']}`](#{rule['id']}) |" in text


def test_render_is_deterministic_and_ignores_input_order():
    gen = _generator()
    rules = gen.builtin_rules()
    assert gen.render(rules) == gen.render(list(reversed(rules)))


def test_params_table_shows_schema_defaults_and_descriptions():
    gen = _generator()
    rule = {
        "id": "demo-rule", "title": "Demo | pipe", "severity": "low", "enforcement_level": "advisory",
        "category": "custom", "rationale": "", "remediation": "", "docs": "## Heading\n\n```hcl\n# comment\n```",
        "help_uri": "", "default_params": {"keys": ["owner"]},
        "params_schema": {"type": "object", "required": ["limit"], "properties": {
            "keys": {"type": "array", "items": {"type": "string"}, "description": "Meta keys."},
            "limit": {"type": "integer"},
            "mode": {"enum": ["a", "b"]}}},
    }
    text = gen.render([rule])
    assert '| `keys` | list of string | `["owner"]` | Meta keys. |' in text
    assert "| `limit` | integer | required |  |" in text
    assert '| `mode` | one of `"a"`, `"b"` | none |  |' in text
    assert "Demo \\| pipe" in text  # a pipe cannot break the table
    assert "##### Heading" in text  # rule headings nest under the rule's own
    assert "\n# comment\n" in text  # code fences are left alone
    assert "## Custom" in text  # unknown categories still get a section


def test_check_mode_reports_stale_file(tmp_path, capsys):
    gen = _generator()
    target = tmp_path / "rules.md"
    assert gen.main(["--check", "--output", str(target)]) == 1
    assert gen.main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == gen.render()
    assert gen.main(["--check", "--output", str(target)]) == 0
    assert "out of date" in capsys.readouterr().err
