"""Limits seen from the loader: each hostile construct is one located diagnostic (JobspecError, exit 2 at the
CLI) found quickly, and real constructs just below the limits load as before, through every later stage."""

from __future__ import annotations

import json
import time

import pytest
from hclhelpers import job_of, load, task_job

from jobguard.jobspec import JobspecError, load_api_job, snake_view
from jobguard.jobspec.limits import MAX_JOB_FILE_SIZE, MAX_NESTING_DEPTH


def diag_of(text: str, **kw):
    start = time.process_time()
    with pytest.raises(JobspecError) as info:
        load(text, **kw)
    assert time.process_time() - start < 1.5
    assert len(info.value.diagnostics) == 1, info.value
    return info.value.diagnostics[0]


def env_job(expr: str, prelude: str = "") -> str:
    return task_job(f"env {{\n  X = {expr}\n}}", prelude=prelude)


def test_a_chain_of_locals_nesting_a_value_stops_at_the_local_that_goes_past_the_limit():
    locals_ = "locals {\n  a0 = 1\n" + "".join(f"  a{i} = [local.a{i - 1}]\n" for i in range(1, 300)) + "}\n"
    diag = diag_of(env_job('"x"', locals_))
    assert diag.summary == "Nesting too deep" and diag.line == 3 + MAX_NESTING_DEPTH  # a101: 101 nested lists


def test_locals_in_reverse_order_load_in_linear_time_with_the_same_result():
    n = 3000
    forward = "locals {\n  a0 = 1\n" + "".join(f"  a{i} = local.a{i - 1} + 1\n" for i in range(1, n)) + "}\n"
    backward = "locals {\n" + "".join(f"  a{i} = local.a{i + 1} + 1\n" for i in range(n - 1)) + f"  a{n - 1} = 1\n}}\n"
    start = time.process_time()
    assert job_of(env_job(f"local.a{n - 1}", forward))["TaskGroups"][0]["Tasks"][0]["Env"]["X"] == str(n)
    assert job_of(env_job("local.a0", backward))["TaskGroups"][0]["Tasks"][0]["Env"]["X"] == str(n)
    assert time.process_time() - start < 10


def test_locals_errors_are_unchanged():
    with pytest.raises(JobspecError) as info:
        load(env_job("local.a", "locals {\n  a = local.b\n  b = local.a\n}\n"))
    assert [(d.summary, d.line) for d in info.value.diagnostics] == [("Unsupported attribute", 2),
                                                                     ("Unsupported attribute", 3)]


def test_arithmetic_growth():
    locals_ = "locals {\n  a0 = 99999999999999999999\n" + "".join(
        f"  a{i} = local.a{i - 1} * local.a{i - 1}\n" for i in range(1, 40)) + "}\n"
    diag = diag_of(env_job('"${local.a39}"', locals_))
    assert "4,000 digits" in diag.detail and diag.line == 10  # a8 = a7 * a7 has 5,120 digits


def test_long_number_literal():
    diag = diag_of(env_job("9" * 5000))
    assert "digits" in diag.detail and (diag.line, diag.column) == (9, 7)


def test_template_for_directive_output():
    prelude = 'locals {\n  big = join("", [for i in range(1024) : "xxxxxxxxxxxxxxxx"])\n}\n'
    diag = diag_of(env_job('"%{ for i in range(1024) }${local.big}%{ endfor }"', prelude))
    assert "template's result" in diag.detail and diag.line == 12


def test_for_expression_steps():
    expr = "length(flatten([for i in range(1024) : [for j in range(1024) : [for k in range(1024) : k]]]))"
    diag = diag_of(env_job(f'"${{{expr}}}"'))
    assert "evaluation steps" in diag.detail and diag.line == 9


def test_dynamic_block_steps():
    text = task_job('''dynamic "volume_mount" {
  for_each = flatten([for i in range(1024) : range(1024)])
  content {
    volume      = "v"
    destination = "/d"
  }
}''')
    diag = diag_of(text)
    assert "evaluation steps" in diag.detail


def test_a_value_repeating_a_long_string_counts_every_repeat():
    prelude = 'locals {\n  big = join("", [for i in range(1024) : "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])\n}\n'
    text = task_job("config {\n  args = [for i in range(1024) : local.big]\n}", prelude=prelude)
    diag = diag_of(text)
    assert "size of this value" in diag.detail and diag.line == 12


def test_job_file_size():
    text = env_job('"x"') + "# " + "x" * MAX_JOB_FILE_SIZE + "\n"
    diag = diag_of(text)
    assert diag.summary == "File too large" and diag.line == 14


@pytest.mark.parametrize("depth", [5_000, 100_000])
@pytest.mark.parametrize("opener", ['{"a": ', "["])
def test_api_json_nesting(depth, opener):
    closer = "}" if opener.startswith("{") else "]"
    deep = opener * depth + "1" + closer * depth
    text = '{"Job": {\n  "ID": "x",\n  "Meta": {"k": ' + deep + "}\n}}"
    diag = diag_of(text)
    assert diag.summary == "Nesting too deep" and diag.line == 3 and diag.column > 10


def test_hcl_json_nesting():
    text = '{"job": {"x": {"meta": {"k": ' + "[" * 5000 + "]" * 5000 + "}}}}"
    assert diag_of(text).summary == "Nesting too deep"


def test_api_json_values():
    text = '{"Job": {"ID": "x", "Meta": {"k": [' + ",".join(["1"] * 120_000) + "]}}}"
    assert diag_of(text).summary == "Too many values"


def test_proxy_job_dict_nesting():
    value: object = 1
    for _ in range(5000):
        value = {"a": value}
    with pytest.raises(JobspecError, match="Nesting too deep"):
        load_api_job({"ID": "x", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t", "Config": value}]}]})


def test_values_at_the_limit_go_through_every_later_stage():
    value = "1"
    for _ in range(MAX_NESTING_DEPTH - 6):
        value = "[" + value + "]"
    loaded = load(task_job(f"config {{\n  args = {value}\n}}"))
    snake = snake_view(loaded.canonical)
    json.dumps({"Job": loaded.canonical})
    assert snake["task_groups"][0]["tasks"][0]["config"]["args"]
    assert loaded.source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Config", "args")).line == 9
