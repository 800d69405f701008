"""Tests for the api struct model and complete()."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from jobguard.jobspec.apimodel import FIELDS, STRUCTS, Field, complete, go_sorted, json_copy
from jobguard.jobspec.canonical import canonicalize

CORPUS = Path("/work/shared/corpus/expected")


def test_every_referenced_struct_is_defined():
    for name, fields in STRUCTS.items():
        for f in fields:
            if f.kind == "struct" or (f.kind in ("list", "map") and f.elem and f.elem[0].isupper()):
                assert f.elem in STRUCTS, f"{name}.{f.name} refers to unknown struct {f.elem}"


def test_field_names_unique_and_hcl_kinds_valid():
    for name, fields in STRUCTS.items():
        names = [f.name for f in fields]
        assert len(names) == len(set(names)), name
        for f in fields:
            assert f.hcl_kind in (None, "attr", "block", "label"), (name, f.name)
            assert (f.hcl is None) == (f.hcl_kind is None), (name, f.name)


def test_known_hcl_tags():
    assert FIELDS["Job"]["TaskGroups"].hcl == "group"
    assert FIELDS["Job"]["TaskGroups"].hcl_kind == "block"
    assert FIELDS["TaskGroup"]["Name"].hcl_kind == "label"
    assert FIELDS["Resources"]["MemoryMB"].hcl == "memory"
    assert FIELDS["Constraint"]["LTarget"].hcl == "attribute"
    assert FIELDS["NetworkResource"]["DynamicPorts"].hcl == "port"
    assert FIELDS["Task"]["LogConfig"].hcl == "logs"
    assert FIELDS["Task"]["Identity"].hcl is None  # set by the server, not from HCL


def test_complete_empty_job_has_every_field_in_go_order():
    job = complete({})
    assert list(job) == [f.name for f in STRUCTS["Job"]]
    assert job["Region"] is None  # *string
    assert job["Dispatched"] is False  # bool value type
    assert job["TaskGroups"] is None  # slice
    assert job["Meta"] is None  # map


def test_complete_nested_null_vs_zero():
    job = complete({"ID": "a", "TaskGroups": [{"Name": "g", "Tasks": [{"Name": "t"}]}]})
    task = job["TaskGroups"][0]["Tasks"][0]
    assert task["User"] == ""  # string value type -> zero
    assert task["ShutdownDelay"] == 0  # time.Duration value type
    assert task["Leader"] is False
    assert task["KillTimeout"] is None  # *time.Duration
    assert task["Resources"] is None
    assert "CSIPluginConfig" not in task  # json omitempty
    group = job["TaskGroups"][0]
    assert group["Count"] is None
    assert list(group) == [f.name for f in STRUCTS["TaskGroup"]]


def test_complete_value_structs_in_lists_and_maps():
    group = complete({"Networks": [{"DynamicPorts": [{"Label": "http"}]}],
                      "Volumes": {"data": {"Name": "data", "Type": "host"}}}, "TaskGroup")
    port = group["Networks"][0]["DynamicPorts"][0]
    assert port == {"Label": "http", "Value": 0, "To": 0, "HostNetwork": "", "IgnoreCollision": False}
    assert group["Volumes"]["data"]["MountOptions"] is None
    assert group["Volumes"]["data"]["ReadOnly"] is False


def test_complete_keeps_explicit_values_and_drops_unknown_keys():
    task = complete({"Name": "t", "KillTimeout": 0, "Bogus": 1, "CSIPluginConfig": {"ID": "p"}}, "Task")
    assert task["KillTimeout"] == 0
    assert "Bogus" not in task
    assert task["CSIPluginConfig"]["MountDir"] == ""


def test_complete_sorts_user_maps_like_go_and_does_not_alias_input():
    config = {"z": 1, "a": {"y": 2, "b": 3}}
    task = complete({"Name": "t", "Config": config, "Env": {"B": "1", "A": "2"}}, "Task")
    assert list(task["Config"]) == ["a", "z"]
    assert list(task["Config"]["a"]) == ["b", "y"]
    assert list(task["Env"]) == ["A", "B"]
    task["Config"]["a"]["b"] = 99
    assert config["a"]["b"] == 3


def test_complete_none():
    assert complete(None, "Constraint") == {"LTarget": "", "RTarget": "", "Operand": ""}


def test_go_sorted_nested_lists():
    assert go_sorted([{"b": 1, "a": [{"d": 1, "c": 2}]}]) == [{"a": [{"c": 2, "d": 1}], "b": 1}]
    assert list(go_sorted([{"b": 1, "a": 2}])[0]) == ["a", "b"]


def test_field_zero_values():
    assert Field("X", "int").zero() == 0
    assert Field("X", "int", pointer=True).zero() is None
    assert Field("X", "list", True, "string").zero() is None


def _strip(obj: dict, struct: str) -> dict:
    """Remove what complete() would put back: nulls of nil-able fields, zero values of value fields."""
    out = {}
    for key, value in obj.items():
        f = FIELDS[struct][key]
        if value is None or (not f.pointer and f.kind not in ("list", "map", "struct", "any", "bytes")
                             and value == f.zero()):
            continue
        if f.kind == "struct":
            value = _strip(value, f.elem)
        elif f.kind == "list" and f.elem in STRUCTS:
            value = [None if v is None else _strip(v, f.elem) for v in value]
        elif f.kind == "map" and f.elem in STRUCTS:
            value = {k: _strip(v, f.elem) for k, v in value.items()}
        out[key] = value
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason="measurement corpus not available")
def test_corpus_round_trip():
    """Measurement: every `nomad job run -output` file survives strip + complete() byte-for-byte (JSON-equal)."""
    files = sorted(CORPUS.rglob("*.json"))
    failures = []
    for path in files:
        job = json.loads(path.read_text())["Job"]
        if json.dumps(complete(_strip(job, "Job"))) != json.dumps(job):
            failures.append(str(path))
    assert not failures, f"{len(failures)}/{len(files)} differ, e.g. {failures[:3]}"


def test_json_copy_is_a_deep_copy_of_a_json_tree() -> None:
    tree = {"a": [1, 2.5, {"b": None, "c": True}], "d": {"e": ["x", {"f": "y"}]}, "g": "h"}
    copied = json_copy(tree)
    assert copied == tree == copy.deepcopy(tree)
    assert copied is not tree and copied["a"] is not tree["a"] and copied["a"][2] is not tree["a"][2]
    copied["d"]["e"][1]["f"] = "changed"
    assert tree["d"]["e"][1]["f"] == "y"


def test_json_copy_keeps_types_it_does_not_know_as_deepcopy_does() -> None:
    class Pairs(dict):
        pairs: list

    special = Pairs(k=[1])
    special.pairs = [("k", [1])]
    copied = json_copy({"m": special})["m"]
    assert type(copied) is Pairs and copied == special and copied.pairs == special.pairs
    assert copied is not special and copied["k"] is not special["k"]


def test_canonicalize_neither_changes_nor_shares_its_input() -> None:
    job = {"ID": "web", "Meta": {"z": "1", "a": "2"}, "TaskGroups": [{"Name": "app", "Tasks": [
        {"Name": "t", "Driver": "docker", "Config": {"image": "x", "args": ["a", {"n": 1}]}}]}]}
    before = repr(job)
    canonical = canonicalize(job)
    assert repr(job) == before
    config = canonical["TaskGroups"][0]["Tasks"][0]["Config"]
    config["args"][1]["n"] = 2
    canonical["Meta"]["a"] = "changed"
    assert repr(job) == before
    assert list(canonical["Meta"]) == ["a", "z"]  # Go's sorted map keys
