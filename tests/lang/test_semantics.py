"""Statements, scopes, functions, rules, quantifiers, params, imports and main."""

import pytest

from jobguard.lang import UNDEFINED, compile_policy

from .conftest import run, value

JOB = {"task_groups": [{"name": "a", "count": 2, "tasks": [{"driver": "docker"}, {"driver": "exec"}]},
                       {"name": "b", "count": 1, "tasks": [{"driver": "docker"}]}],
       "meta": {"Team": "x"}}


def test_main_result_true_false_undefined():
    assert run("main = rule { true }").result is True
    assert run("main = rule { false }").result is False
    assert run("main = rule { job.missing > 1 }", job={}).result is UNDEFINED
    assert run("main = true").result is True  # main may be a plain bool


def test_missing_main_and_non_bool_main_are_errors():
    assert "no main" in run("x = 1").error.message
    assert "main must be a bool" in run("main = rule { 1 }").error.message


def test_rules_are_lazy_and_memoised():
    res = run("main = rule { a }\na = rule { print(\"a\") }\nb = rule { print(\"never\") }\n")
    assert res.result is True and res.prints == ["a"]
    res = run("r = rule { print(\"once\") }\nmain = rule { r and r }\n")
    assert res.prints == ["once"]
    assert res.rules == {"r": True, "main": True}


def test_rule_when_predicate():
    assert run("main = rule when false { false }").result is True
    assert run("main = rule when true { false }").result is False
    assert run("main = rule when undefined { false }").result is UNDEFINED


def test_rule_referring_to_itself_is_an_error():
    assert "refers to itself" in run("main = rule { main }").error.message


def test_scopes_follow_the_spec():
    src = """
a = 1
f = func() {
  a = 12
  b = 1
  return undefined
}
f()
main = rule { a == 12 and b is not defined }
"""
    assert run(src).result is True


def test_closures_and_function_values():
    src = """
make = func(n) { return func(x) { return x + n } }
add2 = make(2)
main = rule { add2(3) == 5 }
"""
    assert run(src).result is True


def test_named_functions_are_hoisted():
    assert run("x = f()\nfunc f() { return 7 }\nmain = rule { x == 7 }").result is True


def test_function_errors():
    assert "takes 1 argument" in run("f = func(a) { return a }\nmain = rule { f() }").error.message
    assert "without a return" in run("f = func() { x = 1 }\nmain = rule { f() }").error.message
    assert run("main = rule { nofunc() else true }").result is True  # calling undefined gives undefined


def test_for_loops_with_break_continue_and_maps():
    src = """
total = 0
for [1, 2, 3, 4] as v {
  if v == 2 { continue }
  if v == 4 { break }
  total += v
}
keys_seen = []
for {"a": 1, "b": 2} as k { append(keys_seen, k) }
vals = 0
for {"a": 1, "b": 2} as k, v { vals += v }
idx = 0
for ["x", "y"] as i, v { idx += i }
main = rule { total == 4 and keys_seen == ["a", "b"] and vals == 3 and idx == 1 }
"""
    res = run(src)
    assert res.error is None and res.result is True


def test_return_from_inside_loops():
    src = """
find = func(xs) {
  for xs as x { if x > 1 { return x } }
  return -1
}
main = rule { find([1, 5, 7]) == 5 and find([]) == -1 }
"""
    assert run(src).result is True


def test_quantifiers_over_lists_and_maps():
    assert value("all [1, 2] as x { x > 0 }") is True
    assert value("all [] as x { false }") is True
    assert value("any [] as x { true }") is False
    assert value("any [1, 2] as x { x > 1 }") is True
    assert value("all [1, 2] as i, x { i < 2 }") is True
    assert value('all {"a": 1, "b": 2} as k { k in ["a", "b"] }') is True
    assert value('all {"a": 1, "b": 2} as k, v { v < 3 }') is True
    assert value("filter [1, 2, 3] as x { x > 1 }") == [2, 3]
    assert value('filter {"a": 1, "b": 2} as k, v { v > 1 }') == {"b": 2}
    assert value("map [1, 2] as x { x * 10 }") == [10, 20]
    assert value('map {"a": 1} as k, v { k + string(v) }') == ["a1"]
    assert value("all undefined as x { true }") is UNDEFINED
    assert value("all [1, 2] as x { undefined }") is UNDEFINED
    assert value("all null as x { false }") is True


def test_quantifier_body_must_be_bool():
    assert "must be a bool" in run("main = rule { all [1] as x { 1 } }").error.message


def test_quantifiers_on_a_job():
    src = """
main = rule {
  all job.task_groups as tg { any tg.tasks as t { t.driver is "docker" } } and
  length(filter job.task_groups as tg { tg.count > 1 }) == 1
}
"""
    assert run(src, job=JOB).result is True


def test_case_statement():
    src = """
f = func(x) {
  case x {
  when 1, 2:
    return "small"
  when "a":
    return "letter"
  else:
    return "other"
  }
}
g = func(n) {
  case {
  when n > 10:
    return "big"
  }
  return "no"
}
main = rule { f(2) == "small" and f("a") == "letter" and f(9) == "other" and g(11) == "big" and g(1) == "no" }
"""
    assert run(src).result is True


def test_index_assignment_and_augmented_assignment():
    src = """
m = {"a": {"b": 1}}
m["a"]["b"] = 2
m.a.c = 3
l = [1, 2]
l[0] += 10
s = "x"
s += "y"
main = rule { m == {"a": {"b": 2, "c": 3}} and l == [11, 2] and s == "xy" }
"""
    assert run(src).result is True
    assert "out of range" in run("l = [1]\nl[3] = 1\nmain = true").error.message
    assert "cannot assign into" in run("x = 1\nx[0] = 1\nmain = true").error.message


def test_mutation_never_leaks_into_the_caller_data():
    job = {"meta": {"a": "1"}, "list": [1]}
    res = run('job.meta["b"] = "2"\nappend(job.list, 2)\nmain = rule { length(job.meta) == 2 }', job=job)
    assert res.result is True
    assert job == {"meta": {"a": "1"}, "list": [1]}


def test_if_condition_must_be_bool():
    assert "if condition must be a bool" in run("if 1 { x = 1 }\nmain = true").error.message


def test_params():
    p = compile_policy("param limit default 3\nparam name\nmain = rule { limit > 2 and name is \"x\" }")
    assert p.params == {"limit": 3, "name": UNDEFINED}
    assert p.evaluate(params={"name": "x"}).result is True
    assert p.evaluate(params={"name": "x", "limit": 1}).result is False
    assert "missing value for required param 'name'" in p.evaluate().error.message


def test_imports_builtin_aliased_and_supplied():
    src = ('import "strings"\nimport "units" as u\n'
           'main = rule { strings.to_upper("a") == "A" and u.megabyte == 1048576 }')
    assert run(src).result is True
    p = compile_policy('import "time"\nmain = rule { time.day == "friday" }')
    assert p.evaluate(imports={"time": {"day": "friday"}}).result is True
    assert p.imports == ["time"]
    res = compile_policy('import "nope"\nmain = true', filename="p.sentinel").evaluate()
    assert 'import "nope" is not available' in str(res.error) and res.error.line == 1


def test_import_errors_become_runtime_errors_at_the_call():
    src = 'import "strings"\n\nmain = rule { strings.to_upper(1) == "" }'
    res = compile_policy(src, filename="p.sentinel").evaluate()
    assert res.error is not None and res.error.line == 3 and "to_upper" in res.error.message


def test_policy_functions_can_be_passed_to_imports():
    class Mod(dict):
        pass

    calls = []

    def apply_fn(f, x):
        calls.append(x)
        return f(x)

    p = compile_policy('import "m"\nmain = rule { m.apply(func(v) { return v + 1 }, 1) == 2 }')
    assert p.evaluate(imports={"m": {"apply": apply_fn}}).result is True and calls == [1]


def test_description_and_prints():
    p = compile_policy("# Only docker.\nmain = rule { print(\"hi\", 1, [\"a\"], {\"k\": null}) }")
    assert p.description == "Only docker."
    assert p.evaluate().prints == ['hi 1 ["a"] {"k": null}']


def test_top_level_return_is_an_error():
    assert "outside a function" in run("return 1\nmain = true").error.message


def test_compile_cache_returns_same_object():
    src = "main = rule { true }"
    assert compile_policy(src, name="a", filename="a.sentinel") is compile_policy(src, name="a", filename="a.sentinel")


@pytest.mark.parametrize("src", ["main = rule { true }", "main = rule { job.x is 1 }"])
def test_evaluate_is_repeatable(src):
    p = compile_policy(src)
    first = p.evaluate(globals={"job": {"x": 1}})
    second = p.evaluate(globals={"job": {"x": 1}})
    assert first.result == second.result


@pytest.mark.parametrize("src,message", [
    ("for undefined as x { y = 1 }\nmain = true", "cannot iterate over undefined"),
    ("for 3 as x { y = 1 }\nmain = true", "cannot iterate over int"),
    ("break\nmain = true", "'break' outside a loop"),
    ("return 1\nmain = true", "'return' outside a function"),
    ("f = func() { break }\nmain = rule { f() }", "'break' outside a loop"),
    ("main = rule { 1(2) }", "cannot call a int"),
])
def test_runtime_error_kinds(src, message):
    res = run(src)
    assert res.error is not None and message in res.error.message, res.error
    assert res.error.file == "t.sentinel" and res.error.line >= 1
