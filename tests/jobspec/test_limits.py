"""The limits module: value measurement, the JSON pre-scan, per-file budgets, the deadline, error locations."""

from __future__ import annotations

import time

import pytest

from jobguard.jobspec import limits
from jobguard.jobspec.limits import FileTimeout, LimitExceeded


def _nested(depth: int, leaf: object = 1) -> object:
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def test_measure_value_counts_characters_elements_and_keys():
    assert limits.measure_value("abc") == 3
    assert limits.measure_value(["ab", "c"]) == 2 + 2 + 1
    assert limits.measure_value({"key": "v", "n": 1}) == 2 + (3 + 1) + (1 + 1)  # entries, keys, values


def test_measure_value_allows_the_limit_and_refuses_one_level_more():
    limits.measure_value(_nested(limits.MAX_NESTING_DEPTH))
    with pytest.raises(LimitExceeded, match="nests more than 100 levels") as info:
        limits.measure_value(_nested(limits.MAX_NESTING_DEPTH + 1))
    assert info.value.summary == "Nesting too deep"


def test_measure_value_walks_100000_levels_without_recursion():
    with pytest.raises(LimitExceeded):
        limits.measure_value(_nested(100_000))


def test_measure_value_counts_shared_parts_every_time():
    big = "x" * 1000
    shared = [big] * 1000  # one string, a thousand references: printed, it is a million characters
    with pytest.raises(LimitExceeded, match="repeat the same text"):
        limits.measure_value(shared, max_size=500_000)


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_json_prescan_finds_the_first_bracket_past_the_limit(depth):
    text = '{\n  "a": ' + "[" * depth + "]" * depth + "\n}"
    start = time.process_time()
    line, col, summary, detail = limits.json_limit_error(text)
    assert time.process_time() - start < 1.0
    assert (line, col, summary) == (2, 8 + 99, "Nesting too deep")  # the object is level 1
    assert "100 levels" in detail


def test_json_prescan_ignores_brackets_in_strings_and_escapes():
    text = '{"a": "' + "[" * 500 + '\\" [[[", "b": [[1]]}'
    assert limits.json_limit_error(text) is None


def test_json_prescan_counts_values():
    text = "[" + ",".join(["1"] * 200) + "]"
    assert limits.json_limit_error(text, max_values=500) is None
    line, col, summary, _ = limits.json_limit_error(text, max_values=100)
    assert summary == "Too many values" and line == 1


def test_budgets_are_per_load_and_raise_when_spent():
    with limits.load_budget() as budget:
        limits.charge_steps(limits.MAX_STEPS_PER_FILE)
        assert budget.steps == 0
        with pytest.raises(LimitExceeded, match="evaluation steps"):
            limits.charge_steps()
        with limits.load_budget() as inner:  # a nested load starts afresh
            limits.charge_steps(10)
            assert inner.steps == limits.MAX_STEPS_PER_FILE - 10
    limits.charge_steps(10 ** 9)  # outside a load nothing is counted


@pytest.mark.parametrize(("charge", "total", "what"), [
    (limits.charge_text, limits.MAX_TEXT_PER_FILE, "text produced"),
    (limits.charge_slow_text, limits.MAX_SLOW_TEXT_PER_FILE, "character by character"),
])
def test_text_budgets(charge, total, what):
    with limits.load_budget():
        charge(total)
        with pytest.raises(LimitExceeded, match=what):
            charge(1)


def test_bcrypt_work_budget_counts_rounds():
    with limits.load_budget():
        for _ in range(16):
            limits.charge_bcrypt(10)
        with pytest.raises(LimitExceeded, match="bcrypt work"):
            limits.charge_bcrypt(4)


def test_deadline_is_cpu_time_and_checked_where_budgets_are_charged():
    with limits.time_budget(0.05):
        limits.check_deadline()
        end = time.process_time() + 0.2
        while time.process_time() < end:
            pass
        with pytest.raises(FileTimeout, match="0.05 s of CPU time"):
            limits.charge_steps()
    limits.check_deadline()  # no budget outside the block
    with limits.time_budget(0):  # 0: no budget at all
        limits.check_deadline()


def test_time_budget_ignores_waiting():
    with limits.time_budget(0.05):
        time.sleep(0.1)  # a busy machine (waiting for the CPU) does not fail a file
        limits.check_deadline()


def test_limit_errors_are_not_exceptions_and_keep_the_innermost_place():
    error = LimitExceeded("too big")
    assert not isinstance(error, Exception)  # try()/can() and "report and go on" handlers cannot swallow it
    error.locate((3, 4, 3, 9), "Call to function \"x\": ")
    error.locate((1, 1, 9, 9), "outer: ")
    assert error.rng == (3, 4, 3, 9) and error.detail == 'Call to function "x": too big'
    assert str(error) == 'Limit exceeded; Call to function "x": too big'


def test_position_of():
    assert limits.position_of("ab\ncd", 4) == (2, 2)
    assert limits.position_of("abc", 0) == (1, 1)
