"""``jobguard parse``: JSON like ``nomad job run -output``, diagnostics and exit code 2 for bad input."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from jobguard.cli.parse import parse

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "hcl")


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(parse, list(args), input=stdin, env={"NOMAD_VAR_image": None})


def test_prints_job_with_four_space_indent():
    result = run(os.path.join(FIXTURES, "web.hcl"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith('{\n    "Job": {\n        "Region": null,')
    job = json.loads(result.output)["Job"]
    assert job["ID"] == "web"


def test_canonical_var_and_var_file():
    result = run("--canonical", "--var", "count=5", "--var-file", os.path.join(FIXTURES, "web.vars.hcl"),
                 os.path.join(FIXTURES, "web.hcl"))
    assert result.exit_code == 0, result.output
    job = json.loads(result.output)["Job"]
    group = job["TaskGroups"][0]
    assert group["Count"] == 5
    assert group["Tasks"][0]["Config"]["image"] == "nginx:1.25"
    assert job["Priority"] == 50  # filled in by Canonicalize()


def test_stdin():
    result = run("-", stdin='job "s" {}\n')
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["Job"]["ID"] == "s"


def test_bad_file_exits_2_with_positions():
    path = os.path.join(FIXTURES, "bad.hcl")
    result = CliRunner(mix_stderr=False).invoke(parse, [path]) if _supports_mix_stderr() else run(path)
    assert result.exit_code == 2
    text = result.stderr if _supports_mix_stderr() else result.output
    assert f"{path}:3:5: Unsupported argument; " in text
    assert f"{path}:7:16: Unsuitable value type; Unsuitable value: a number is required" in text
    assert "Traceback" not in text


def test_missing_file_and_bad_var_flag():
    result = run("/nonexistent/job.hcl")
    assert result.exit_code == 2
    assert "Failed to read file" in result.output
    result = run("--var", "novalue", os.path.join(FIXTURES, "web.hcl"))
    assert result.exit_code == 2


def _supports_mix_stderr() -> bool:
    import inspect

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def test_output_escapes_html_characters_like_go():
    result = run("-", stdin='job "a<b" {\n  meta {\n    x = "é & >"\n  }\n}\n')
    assert result.exit_code == 0, result.output
    assert '"ID": "a\\u003cb"' in result.output
    assert '"x": "é \\u0026 \\u003e"' in result.output
    assert json.loads(result.output)["Job"]["Meta"] == {"x": "é & >"}
