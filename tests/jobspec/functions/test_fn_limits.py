"""Limits on functions a hostile job file can make expensive: refused before the work, within a fraction of a
second, and never swallowed by try()/can(). Values below the limits behave exactly as before."""

from __future__ import annotations

import os
import time

import pytest

from jobguard.jobspec import limits
from jobguard.jobspec.functions import FunctionError, call_function, filesystem
from jobguard.jobspec.limits import LimitExceeded


def call(name: str, *args):
    with limits.load_budget():
        return call_function(name, list(args))


def refused(name: str, *args, match: str = "") -> LimitExceeded:
    start = time.process_time()
    with pytest.raises(LimitExceeded, match=match) as info:
        call(name, *args)
    assert time.process_time() - start < 1.0, f"{name} took too long to refuse"
    return info.value


@pytest.mark.parametrize("fmt", ["%999999999d", "%999999999s", "%-999999999v", "%0999999999x", "%999999999q",
                                 "%100001d"])
def test_format_width(fmt):
    arg = "a" if fmt[-1] in "sqv" else 7
    refused("format", fmt, arg, match="width")


@pytest.mark.parametrize("fmt", ["%.999999999f", "%.1001e", "%.5000g", "%.99999999999999999999d"])
def test_format_numeric_precision(fmt):
    refused("format", fmt, 1.5 if fmt[-1] in "feg" else 7, match="precision")


def test_format_below_the_limits_is_unchanged():
    assert call("format", "%05d|%-4s|%.3f|%.2000s", 42, "ab", 1.23456, "xyz") == "00042|ab  |1.235|xyz"
    assert len(call("format", "%100000s", "x")) == 100_000
    assert call("format", "%.1000f", 0.5).startswith("0.5000")


def test_format_total_output():
    refused("format", "%100000s" * 30, *(["x"] * 30), match="resulting string")


def test_formatlist_width_and_total():
    refused("formatlist", "%999999999d", [1, 2], match="width")
    with limits.load_budget(), pytest.raises(LimitExceeded, match="text produced"):
        for _ in range(200):
            call_function("formatlist", ["%100000s", ["x"] * 10])


def test_format_v_of_a_value_with_shared_parts():
    big = "x" * 100_000
    refused("format", "%v", [big] * 100, match="size of this value")
    refused("jsonencode", [big] * 100, match="size of this value")
    refused("yamlencode", [big] * 100, match="size of this value")


@pytest.mark.parametrize(("name", "args"), [
    ("indent", (999_999_999, "a\nb")),
    ("replace", ("a" * 1000, "", "b" * 10_000)),
    ("replace", ("a " * 100_000, " ", "x" * 100)),
    ("join", ("x" * 100_000, ["a"] * 100)),
    ("regex_replace", ("a" * 100_000, "", "b" * 100)),
])
def test_string_growth_is_refused_before_it_is_built(name, args):
    refused(name, *args, match="resulting string")


def test_string_functions_below_the_limits():
    assert call("indent", 2, "a\nb") == "a\n  b"
    assert call("replace", "abc", "", "-") == "-a-b-c-"
    assert call("join", "-", ["a", "b"]) == "a-b"
    assert call("regex_replace", "a1b22", "[0-9]+", "<$0>") == "a<1>b<22>"


def test_any_string_result_is_checked():
    with limits.load_budget():
        big = call_function("join", ["", ["x" * 100_000] * 20])
        with pytest.raises(LimitExceeded, match="resulting string"):
            call_function("base64encode", [big])


def test_slow_text_budget_for_grapheme_functions():
    text = "é" * 600_000
    with limits.load_budget():
        call_function("strlen", [text])
        with pytest.raises(LimitExceeded, match="character by character"):
            call_function("strrev", [text])
    assert call("strlen", "e\u0301" * 3) == 3  # ASCII-free texts below the budget keep cty's clusters


def test_bcrypt_cost_and_work():
    refused("bcrypt", "x", 31, match="bcrypt's cost")
    refused("bcrypt", "x", 13, match="bcrypt's cost")
    with pytest.raises(FunctionError, match="outside allowed range"):  # Go's own error first
        call("bcrypt", "x", 32)
    with limits.load_budget():
        for _ in range(15):
            limits.charge_bcrypt(10)  # as if 15 hashes at the default cost had run
        assert call_function("bcrypt", ["x", 10]).startswith("$2a$10$")
        with pytest.raises(LimitExceeded, match="bcrypt work"):
            call_function("bcrypt", ["x", 4])


def test_setproduct_size():
    refused("setproduct", list(range(1000)), list(range(1000)), list(range(1000)), match="setproduct")
    assert len(call("setproduct", ["a", "b"], [1, 2, 3])) == 6


def test_range_keeps_ctys_own_limit():
    with pytest.raises(FunctionError, match="more than 1024 values"):
        call("range", 10 ** 9)


def test_collections_returned_count_as_steps():
    with limits.load_budget(), pytest.raises(LimitExceeded, match="evaluation steps"):
        for _ in range(300):
            call_function("range", [1000])


def test_distinct_and_sets_are_linear_and_keep_cty_equality():
    start = time.process_time()
    assert len(call("distinct", list(range(50_000)) * 2)) == 50_000
    assert time.process_time() - start < 2.0
    assert call("distinct", [1, 1.0, "1", True, None, None, [1], [1.0], {"a": 1}, {"a": 1}]) == \
        [1, "1", True, None, [1], {"a": 1}]
    assert call("setintersection", [1, 2, 3], [3, 2.0]) == [2, 3]
    assert call("setunion", ["b", "a"], ["a", "c"]) == ["a", "b", "c"]


@pytest.mark.parametrize("depth", [101, 5_000, 100_000])
def test_jsondecode_nesting(depth):
    error = refused("jsondecode", "[" * depth + "]" * depth, match="100 levels")
    assert error.summary == "Nesting too deep"


@pytest.mark.parametrize("text", ["1e999999999", "9" * 5000, "[1e5000]"])
def test_decoded_numbers(text):
    refused("jsondecode", text, match="digits")
    refused("yamldecode", text.strip("[]"), match="digits")


def test_jsondecode_at_the_limit():
    assert call("jsondecode", "[" * 100 + "]" * 100) is not None


@pytest.mark.parametrize("depth", [101, 5_000])
def test_yamldecode_nesting(depth):
    refused("yamldecode", "[" * depth + "]" * depth, match="100 levels")


def test_yaml_alias_bomb_and_cycles():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    refused("yamldecode", "\n".join(lines), match="aliases expanded")
    refused("yamldecode", "a: &a [*a]", match="alias of itself")
    chain = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 150)]
    refused("yamldecode", "\n".join(chain), match="100 levels")
    assert call("yamldecode", "a: &a [1, 2]\nb: *a") == {"a": [1, 2], "b": [1, 2]}


def test_parseint_digits():
    refused("parseint", "f" * 100_000, 16, match="digits")
    assert call("parseint", "ff", 16) == 255


def test_limits_are_not_swallowed_by_try_or_can():
    with limits.load_budget():
        for name in ("try", "can"):
            thunks = [lambda: call_function("format", ["%999999999d", 1]), lambda: "fallback"]
            with pytest.raises(LimitExceeded):
                call_function(name, thunks[: 2 if name == "try" else 1])


def test_file_size_and_special_files(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * (limits.MAX_FILE_FUNCTION_SIZE + 1))
    (tmp_path / "ok").write_bytes(b"x" * 1000)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(LimitExceeded, match="size of big"):
        call_function("file", ["big"], base_dir=str(tmp_path))
    with pytest.raises(LimitExceeded):
        call_function("filebase64", ["big"], base_dir=str(tmp_path))
    assert call_function("file", ["ok"], base_dir=str(tmp_path)) == "x" * 1000
    with pytest.raises(FunctionError, match="failed to read fifo"):  # would block forever
        call_function("file", ["fifo"], base_dir=str(tmp_path))
    with pytest.raises(FunctionError, match="failed to read /dev/zero"):  # would never end
        call_function("file", ["/dev/zero"])


def test_fileset_bounds(tmp_path, monkeypatch):
    deep = tmp_path
    for _ in range(limits.MAX_FILESET_DEPTH + 1):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "f.txt").write_text("x")
    with pytest.raises(LimitExceeded, match="directory levels"):
        call_function("fileset", [str(tmp_path), "**/f.txt"])
    assert call_function("fileset", [str(tmp_path), "d/*"]) == []  # no ** : never deeper than the pattern
    monkeypatch.setattr(filesystem, "MAX_FILESET_MATCHES", 50)  # the same check, without 10,001 files
    many = tmp_path / "many"
    many.mkdir()
    for i in range(51):
        (many / f"{i}.txt").write_bytes(b"")
    with pytest.raises(LimitExceeded, match="fileset matched"):
        call_function("fileset", [str(many), "*"])
    os.symlink(".", many / "loop")  # a symlink loop ends (the OS stops at 40 links; the depth limit at 64)
    start = time.process_time()
    assert call_function("fileset", [str(many), "loop/**/nope"]) == []
    assert time.process_time() - start < 1.0


def test_fileset_many_double_stars_is_linear(tmp_path):
    (tmp_path / "a" / "a" / "a").mkdir(parents=True)
    start = time.process_time()
    assert call_function("fileset", [str(tmp_path), "/".join(["**"] * 40) + "/nope"]) == []
    assert call_function("fileset", [str(tmp_path), "**/a/" * 30 + "x"]) == []
    assert time.process_time() - start < 1.0
