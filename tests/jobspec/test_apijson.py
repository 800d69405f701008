"""Tests for API JSON decoding (Go encoding/json semantics) and its source map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobguard.jobspec import JobspecError, load_api_job
from jobguard.jobspec.api.jsonpos import JSONSyntaxError, parse, to_python
from jobguard.jobspec.apijson import decode_api_json, load_api_json_text

FIXTURES = Path(__file__).parent / "fixtures" / "api"


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_envelope_case_insensitive_unknown_dropped():
    job, _ = decode_api_json(_fixture("envelope.json"), "envelope.json")
    assert job["ID"] == "web"
    assert job["Datacenters"] == ["dc1"]  # "datacenters" matched case-insensitively
    task = job["TaskGroups"][0]["Tasks"][0]
    assert task["Resources"]["MemoryMB"] == 256
    assert task["Resources"]["Cores"] is None
    assert "UnknownField" not in task
    assert list(task["Env"]) == ["A_FIRST", "DB_PASSWORD"]  # maps print sorted, like Go
    assert task["Config"]["args"] == ["-p", 8080]


def test_bare_job_object():
    job, source_map = decode_api_json(_fixture("bare.json"), "bare.json")
    assert job["ID"] == "batch-job"
    assert job["Type"] == "batch"
    assert job["TaskGroups"][0]["Tasks"][0]["Driver"] == "exec"
    assert source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Driver")).line == 5


def test_source_map_positions():
    _, source_map = decode_api_json(_fixture("envelope.json"), "envelope.json")
    pos = source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Env", "DB_PASSWORD"))
    assert (pos.file, pos.line, pos.column) == ("envelope.json", 16, 21)
    assert source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Config", "image")).line == 15
    assert source_map.lookup(("Datacenters",)).line == 6
    # a defaulted field resolves to its nearest recorded ancestor
    assert source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Resources", "DiskMB")).line == 17


def test_type_errors_name_field_with_position():
    with pytest.raises(JobspecError) as info:
        decode_api_json(_fixture("bad_type.json"), "bad_type.json")
    diags = info.value.diagnostics
    assert len(diags) == 2
    count = diags[0]
    assert (count.line, count.column) == (7, 18)
    assert count.detail == ("json: cannot unmarshal string into Go struct field "
                            "TaskGroup.Job.TaskGroups.Count of type int")
    cpu = diags[1]
    assert "cannot unmarshal number 1.5 into Go struct field Resources.Job.TaskGroups.Tasks.Resources.CPU" in str(cpu)
    assert str(cpu).startswith("bad_type.json:8:")


def test_invalid_json_reports_line_and_column():
    with pytest.raises(JobspecError) as info:
        decode_api_json(_fixture("syntax_error.json"), "syntax_error.json")
    diag = info.value.diagnostics[0]
    assert (diag.file, diag.line, diag.column) == ("syntax_error.json", 5, 3)
    assert diag.detail == "invalid character '}' looking for beginning of object key string"


@pytest.mark.parametrize("text", ["[1]", '"job"', "42"])
def test_top_level_must_be_object(text):
    with pytest.raises(JobspecError, match="cannot unmarshal"):
        decode_api_json(text, "x.json")


def test_integer_rules():
    for bad in ('{"Priority": 1.0}', '{"Priority": 1e2}', '{"Priority": true}'):
        with pytest.raises(JobspecError):
            decode_api_json(bad)
    with pytest.raises(JobspecError, match="of type int8"):
        decode_api_json('{"Affinities": [{"Weight": 200}]}')
    with pytest.raises(JobspecError, match="uint64"):
        decode_api_json('{"Version": -1}')
    job, _ = decode_api_json('{"Priority": -5, "TaskGroups": [{"ShutdownDelay": 5000000000}]}')
    assert job["Priority"] == -5
    assert job["TaskGroups"][0]["ShutdownDelay"] == 5_000_000_000


def test_null_semantics_and_repeated_keys():
    job, _ = decode_api_json('{"ID": "a", "Datacenters": null, "Dispatched": null, "id": "b"}')
    assert job["ID"] == "b"  # the later key wins
    assert job["Datacenters"] is None
    assert job["Dispatched"] is False
    job, _ = decode_api_json('{"Update": {"MaxParallel": 2}, "update": {"Canary": 1}}')
    assert job["Update"]["MaxParallel"] == 2 and job["Update"]["Canary"] == 1  # Go decodes into the same struct


def test_envelope_null_falls_back_to_bare_fields():
    job, _ = decode_api_json('{"Job": null, "ID": "bare"}')
    assert job["ID"] == "bare"
    job, _ = decode_api_json('{"job": {"ID": "nested"}, "ID": "bare"}')
    assert job["ID"] == "nested"


def test_free_form_numbers_behave_like_go_float64():
    job, _ = decode_api_json('{"TaskGroups": [{"Tasks": [{"Config": {"a": 1e3, "b": 1.5, "c": 7}}]}]}')
    assert job["TaskGroups"][0]["Tasks"][0]["Config"] == {"a": 1000, "b": 1.5, "c": 7}


def test_map_value_types_checked():
    expected = "unmarshal number into Go struct field Task.TaskGroups.Tasks.Env.PORT of type string"
    with pytest.raises(JobspecError, match=expected):
        decode_api_json('{"TaskGroups": [{"Tasks": [{"Env": {"PORT": 80}}]}]}')
    job, _ = decode_api_json('{"TaskGroups": [{"Services": [{"Checks": [{"Header": {"X": ["1", "2"]}}]}]}]}')
    assert job["TaskGroups"][0]["Services"][0]["Checks"][0]["Header"] == {"X": ["1", "2"]}


def test_payload_must_be_base64():
    with pytest.raises(JobspecError, match="base64"):
        decode_api_json('{"Payload": "not base64!"}')
    job, _ = decode_api_json('{"Payload": "aGk="}')
    assert job["Payload"] == "aGk="


def test_load_api_job_from_dict_has_canonical_and_empty_source_map():
    loaded = load_api_job({"ID": "svc", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t"}]}]})
    assert loaded.file == "<request>"
    assert loaded.format == "json"
    assert len(loaded.source_map) == 0
    assert loaded.job["Region"] is None
    assert loaded.canonical["Region"] == "global"
    assert loaded.id == "svc"


def test_load_api_job_errors_without_position():
    with pytest.raises(JobspecError) as info:
        load_api_job({"Job": {"Priority": "high"}})
    assert str(info.value).startswith("<request>: Failed to parse JSON job; json: cannot unmarshal string")


def test_load_api_json_text_keeps_source():
    text = _fixture("bare.json")
    loaded = load_api_json_text(text, "bare.json")
    assert loaded.source == text
    assert loaded.canonical["TaskGroups"][0]["RestartPolicy"]["Attempts"] == 3


def test_json_scanner_matches_stdlib_values():
    text = '{"a": [1, -2.5, "x\\u00e9\\ud83d\\ude00", true, null, {"b": "\\n"}]}'
    assert to_python(parse(text)) == json.loads(text)


@pytest.mark.parametrize("text,line,col", [
    ('{"a": 1,}', 1, 9), ('{\n  "a": tru\n}', 2, 8), ('{"a": "\x01"}', 1, 8), ("", 1, 1), ('{"a": 1} x', 1, 10),
])
def test_json_scanner_errors(text, line, col):
    with pytest.raises(JSONSyntaxError) as info:
        parse(text)
    assert (info.value.line, info.value.col) == (line, col)


def test_deep_nesting_is_a_clean_error():
    text = '{"Meta": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(JobspecError, match="Nesting too deep") as info:
        decode_api_json(text, "deep.json")
    diag = info.value.diagnostics[0]
    assert (diag.line, diag.column) == (1, 10 + 99)  # the object is level 1: the 100th "[" is level 101


def test_printed_job_decodes_to_itself():
    loaded = load_api_json_text(_fixture("envelope.json"), "envelope.json")
    for job in (loaded.job, loaded.canonical):
        again, _ = decode_api_json(json.dumps({"Job": job}))
        assert again == job


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 53), 2 ** 53) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(_JSON_VALUES, st.booleans())
def test_json_scanner_agrees_with_stdlib(value, pretty):
    text = json.dumps(value, indent=2 if pretty else None, ensure_ascii=not pretty)
    assert to_python(parse(text)) == json.loads(text)
