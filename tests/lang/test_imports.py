"""The strings, time and units imports (types/json/... have their own tests in tests/lang_imports)."""

import datetime as dt

import pytest

from jobguard.lang import UNDEFINED, PolicyRuntimeError, compile_policy
from jobguard.lang.imports import BUILTIN_IMPORTS
from jobguard.lang.imports import time as time_import
from jobguard.lang.imports.module import ImportModule, require_string


def strings_value(expr):
    p = compile_policy(f'import "strings"\nv = {expr}\nmain = true', filename="s.sentinel")
    res = p.evaluate(force_rules=["v"])
    if res.error:
        raise res.error
    return res.rules["v"]


@pytest.mark.parametrize("expr,expected", [
    ('strings.has_prefix("nginx:1", "nginx")', True), ('strings.has_suffix("a:latest", ":latest")', True),
    ('strings.join(["a", "b"], "-")', "a-b"), ('strings.split("a/b/c", "/")', ["a", "b", "c"]),
    ('strings.split("ab", "")', ["a", "b"]), ('strings.trim_prefix("https://x", "https://")', "x"),
    ('strings.trim_prefix("x", "y")', "x"), ('strings.trim_suffix("a.tgz", ".tgz")', "a"),
    ('strings.trim_space("  a ")', "a"), ('strings.trim("xxaxx", "x")', "a"), ('strings.trim_left("xa", "x")', "a"),
    ('strings.trim_right("ax", "x")', "a"), ('strings.to_lower("AbC")', "abc"), ('strings.to_upper("a")', "A"),
    ('strings.replace("aaa", "a", "b", 2)', "bba"), ('strings.replace("aaa", "a", "b", -1)', "bbb"),
    ('strings.index("abc", "c")', 2), ('strings.index("abc", "z")', -1), ("strings.to_lower(undefined)", UNDEFINED),
    ('strings.has_prefix(undefined, "a")', UNDEFINED), ("strings.nope", UNDEFINED),
])
def test_strings(expr, expected):
    assert strings_value(expr) == expected


@pytest.mark.parametrize("expr", ["strings.split(1, \"/\")", 'strings.join([{}], ",")', "strings.to_upper(true)"])
def test_strings_type_errors(expr):
    with pytest.raises(PolicyRuntimeError) as info:
        strings_value(expr)
    assert info.value.line == 2 and ("must be" in info.value.message or "cannot convert" in info.value.message)


def test_units():
    p = compile_policy('import "units"\nmain = rule { units.kilobyte == 1024 and units.gigabyte == 1073741824 and '
                       'units.petabyte == 1125899906842624 and units.byte == 1 }')
    assert p.evaluate().result is True


def test_time_now_and_values():
    mod = time_import.module(now=dt.datetime(2024, 3, 1, 14, 5, 6, tzinfo=dt.timezone.utc))
    p = compile_policy('import "time"\nmain = rule { time.now.year == 2024 and time.now.month == 3 and '
                       'time.now.day == 1 and time.now.hour == 14 and time.now.weekday_name == "Friday" and '
                       'time.now.weekday == 5 and time.hour == 3600000000000 }')
    assert p.evaluate(imports={"time": mod}).result is True


def test_time_load_and_methods():
    p = compile_policy('import "time"\n'
                       't = time.load("2024-01-01T00:00:00Z")\n'
                       'u = t.add(time.hour)\n'
                       'main = rule { u.hour == 1 and u.sub(t) == time.hour and t.before(u) and u.after(t) and '
                       't.equal(time.load(1704067200)) and t.unix == 1704067200 }')
    res = p.evaluate()
    assert res.error is None and res.result is True
    bad = compile_policy('import "time"\nmain = rule { time.load("yesterday") }', filename="t.sentinel").evaluate()
    assert "cannot parse" in bad.error.message and bad.error.line == 2


def test_time_now_is_fixed_within_one_evaluation():
    p = compile_policy('import "time"\na = time.now.unix_nano\nb = time.now.unix_nano\nmain = rule { a == b }')
    assert p.evaluate().result is True


def test_registry_discovers_modules():
    assert {"strings", "time", "units"} <= set(BUILTIN_IMPORTS)
    for factory in BUILTIN_IMPORTS.values():
        assert factory().attr_names()


def test_import_module_base_class():
    class M(ImportModule):
        def attributes(self):
            return {"k": 1}

        def fn_double(self, x):
            return 2 * x

    m = M()
    assert m.get_attr("k") == 1 and m.get_attr("double")(2) == 4 and m.get_attr("_private") is UNDEFINED
    assert m.attr_names() == ["double", "k"]
    lazy = ImportModule(lazy={"now": lambda: 5})
    assert lazy.get_attr("now") == 5 and lazy.get_attr("missing") is UNDEFINED
    with pytest.raises(TypeError):
        require_string(3, "x")
