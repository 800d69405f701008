"""Sentinel modules (jobguard.lang.modules) through the test runner and through Policy.evaluate directly."""

from pathlib import Path

import pytest

from jobguard.lang import compile_policy
from jobguard.lang.modules import ImportSet, ModuleImport, ModuleValue, check_imports, parse_module_file
from jobguard.lang.testing import run_policy_tests


def write(base: Path, rel: str, text: str) -> Path:
    path = base / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


HELPERS = """\
import "strings"

prefix = "team-"
limits = { "max": 3 }
print("helpers loaded")

func owned(name) {
  return strings.has_prefix(name, prefix)
}

func bump() {
  limits.max += 1
  return limits.max
}

always = rule { true }
"""


def policy_with(tmp_path: Path, body: str, name: str = "p") -> Path:
    return write(tmp_path, f"{name}.sentinel", body)


def case(tmp_path: Path, policy: str, name: str, text: str) -> Path:
    return write(tmp_path, f"test/{policy}/{name}", text)


def evaluate(path: Path, imports: dict, **kw):
    policy = compile_policy(path.read_text(), filename=str(path))
    return policy.evaluate(imports=imports, **kw)


def test_module_attributes_functions_and_closures(tmp_path):
    helpers = write(tmp_path, "lib/helpers.sentinel", HELPERS)
    p = policy_with(tmp_path, 'import "helpers" as h\n'
                              'main = rule { h.owned("team-a") and not h.owned("x") and h.prefix is "team-" and '
                              '(h.nope else "missing") is "missing" and h.always and h.bump() is 4 and '
                              'h.bump() is 5 }\n')
    imports = ImportSet({"helpers": ModuleImport("helpers", str(helpers))})
    for trace in (False, True):  # the generated-code path and the closure path
        res = evaluate(p, imports, trace=trace)
        # evaluated afresh per run: the counter starts at 3 again each time
        assert res.error is None and res.result is True, res.error
    assert res.prints == ["helpers loaded"]  # the module's print() goes to the run's output, once


def test_module_is_evaluated_once_per_run_and_shared_by_importers(tmp_path):
    write(tmp_path, "a.sentinel", 'print("a loaded")\ncount = 1\n')
    write(tmp_path, "b.sentinel", 'import "a"\nfunc twice() { return a.count * 2 }\n')
    p = policy_with(tmp_path, 'import "a"\nimport "b"\nmain = rule { b.twice() is 2 and a.count is 1 }\n')
    imports = ImportSet({n: ModuleImport(n, str(tmp_path / f"{n}.sentinel")) for n in ("a", "b")})
    policy = compile_policy(p.read_text(), filename=str(p))
    first = policy.evaluate(imports=imports, trace=True)
    second = policy.evaluate(imports=imports, trace=True)
    assert first.result is True and second.result is True
    assert first.prints == ["a loaded"] and second.prints == ["a loaded"]


def test_module_parse_is_cached_by_path_and_mtime(tmp_path):
    path = write(tmp_path, "m.sentinel", "x = 1\n")
    first = parse_module_file(str(path))
    assert parse_module_file(str(path)) is first
    path.write_text("x = 22\n")  # a different size: re-read even within the same mtime tick
    assert parse_module_file(str(path)) is not first


def test_module_value_type_and_undefined_attribute(tmp_path):
    path = write(tmp_path, "m.sentinel", "x = 1\n")
    value = ModuleImport("m", str(path)).load_import(type("C", (), {"imports": {}})())
    assert isinstance(value, ModuleValue) and value.type_name == "module"
    assert value.get_attr("x") == 1 and repr(value.get_attr("y")) == "undefined"


LIBRARY_CASE = """\
module "helpers" {
  source = "../../lib/helpers.sentinel"
}

mock "plan" {
  module {
    source = "mock-plan.sentinel"
  }
}

param "owner" {
  value = "team-b"
}

test {
  rules = {
    main   = true
    owners = ["team-a", "team-b"]
  }
}
"""


def test_runner_module_blocks_module_mocks_and_params(tmp_path):
    write(tmp_path, "lib/helpers.sentinel", HELPERS)
    case(tmp_path, "p", "pass.hcl", LIBRARY_CASE)
    write(tmp_path, "test/p/mock-plan.sentinel", 'resources = [{"owner": "team-a"}, {"owner": "team-b"}]\n')
    policy_with(tmp_path, 'import "helpers"\nimport "plan"\nparam owner default "team-a"\n'
                          'owners = map plan.resources as _, r { r.owner }\n'
                          'main = rule { all owners as o { helpers.owned(o) } and owner is "team-b" }\n')
    res = run_policy_tests(tmp_path / "p.sentinel")
    assert [(c.path.name, c.passed, c.messages) for c in res.cases] == [("pass.hcl", True, [])]


def test_mocks_override_std_imports_and_modules(tmp_path):
    write(tmp_path, "lib/helpers.sentinel", HELPERS)
    policy_with(tmp_path, 'import "strings"\nimport "helpers"\n'
                          'main = rule { strings.answer is 42 and helpers.prefix is "mocked-" }\n')
    write(tmp_path, "test/p/fake-helpers.sentinel", 'prefix = "mocked-"\n')
    case(tmp_path, "p", "pass.hcl", 'module "helpers" {\n  source = "../../lib/helpers.sentinel"\n}\n'
                                    'mock "strings" {\n  data = { answer = 42 }\n}\n'
                                    'mock "helpers" {\n  module {\n    source = "fake-helpers.sentinel"\n  }\n}\n')
    res = run_policy_tests(tmp_path / "p.sentinel")
    assert res.passed, res.cases[0].messages


def test_older_json_case_form(tmp_path):
    policy_with(tmp_path, 'import "plan"\nparam limit\nmain = rule { plan.count <= limit and region is "eu" }\n')
    write(tmp_path, "test/p/mock-plan.sentinel", "count = 2\n")
    case(tmp_path, "p", "pass.json", '{"mock": {"plan": "mock-plan.sentinel"}, "param": {"limit": 3},\n'
                                     ' "global": {"region": "eu"}, "test": {"main": true}}\n')
    case(tmp_path, "p", "fail.json", '{"mock": {"plan": {"count": 9}}, "param": {"limit": 3},\n'
                                     ' "global": {"region": "eu"}, "test": {"main": false}}\n')
    case(tmp_path, "p", "hcl-style.json", '{"mock": {"plan": {"module": {"source": "mock-plan.sentinel"}}},\n'
                                          ' "param": {"limit": {"value": 2}}, "global": {"region": {"value": "eu"}},'
                                          '\n "test": {"rules": {"main": true}}}\n')
    res = run_policy_tests(tmp_path / "p.sentinel")
    assert [(c.path.name, c.passed) for c in res.cases] == [("fail.json", True), ("hcl-style.json", True),
                                                          ("pass.json", True)], [c.messages for c in res.cases]


def test_static_import_block(tmp_path):
    write(tmp_path, "data/owners.json", '{"teams": ["a", "b"]}')
    policy_with(tmp_path, 'import "owners"\nmain = rule { owners.teams contains "b" }\n')
    case(tmp_path, "p", "pass.hcl",
         'import "static" "owners" {\n  source = "../../data/owners.json"\n  format = "json"\n}\n')
    assert run_policy_tests(tmp_path / "p.sentinel").passed


@pytest.mark.parametrize("files, needle", [
    ({"test/p/c.hcl": 'module "m" {\n  source = "nope.sentinel"\n}\n'},
     '{case}:1:1: module "m": module file not found; {tmp}/test/p/nope.sentinel'),
    ({"test/p/c.hcl": 'module "m" {\n  source = "git::https://example.com/x.git//m.sentinel"\n}\n'},
     '{case}:2:3: module "m": remote sources are not supported'),
    ({"test/p/c.hcl": 'mock "m" {\n  module {\n    source = "bad.sentinel"\n  }\n}\n', "test/p/bad.sentinel": "x = \n"},
     '{tmp}/test/p/bad.sentinel:2:1: module "m":'),
    ({"test/p/c.hcl": 'module "m" {\n  source = "a.sentinel"\n}\nmodule "n" {\n  source = "b.sentinel"\n}\n',
      "test/p/a.sentinel": 'import "n"\n', "test/p/b.sentinel": 'x = 1\nimport "m"\n'},
     '{tmp}/test/p/b.sentinel:2:1: module import cycle; "m" ({tmp}/test/p/a.sentinel) -> "n" '
     '({tmp}/test/p/b.sentinel) -> "m" ({tmp}/test/p/a.sentinel)'),
    ({"test/p/c.hcl": 'module "m" {\n  source = "a.sentinel"\n}\n', "test/p/a.sentinel": 'import "nowhere"\n'},
     '{tmp}/test/p/a.sentinel:1:1: unknown import "nowhere"'),
    ({"test/p/c.hcl": 'import "plugin" "m" {\n  source = "./m-plugin"\n}\n'},
     '{case}:1:1: import "plugin" "m": no installed jobguard plugin provides this import'),
    ({"test/p/c.hcl": 'policy "x" {\n  source = "x.sentinel"\n}\n'}, '{case}:1:1: Unsupported block policy "x"'),
    ({"test/p/c.hcl": 'mock "m" {\n  data = {}\n  module {\n    source = "x"\n  }\n}\n'},
     '{case}:1:1: mock "m" needs either data'),
])
def test_bad_cases_are_input_errors_with_positions(tmp_path, files, needle):
    policy_with(tmp_path, 'import "m"\nmain = rule { true }\n')
    for rel, text in files.items():
        write(tmp_path, rel, text)
    res = run_policy_tests(tmp_path / "p.sentinel")
    assert res.broken and len(res.cases) == 1
    message = "\n".join(res.cases[0].messages)
    assert needle.format(case=tmp_path / "test/p/c.hcl", tmp=tmp_path) in message, message


def test_unknown_import_in_the_policy(tmp_path):
    p = policy_with(tmp_path, 'import "strings"\n\nimport "tfplan/v2" as tfplan\nmain = rule { true }\n')
    policy = compile_policy(p.read_text(), filename=str(p))
    problems = check_imports(policy, {}, frozenset({"strings"}))
    assert [str(d).split(";")[0] for d in problems] == [f'{p}:3:1: unknown import "tfplan/v2"']


def test_runtime_cycle_is_an_error_naming_both_files(tmp_path):
    a = write(tmp_path, "a.sentinel", 'import "b"\n')
    b = write(tmp_path, "b.sentinel", 'import "a"\n')
    p = policy_with(tmp_path, 'import "a"\nmain = rule { true }\n')
    imports = ImportSet({"a": ModuleImport("a", str(a)), "b": ModuleImport("b", str(b))})
    res = evaluate(p, imports, trace=True)
    assert res.error is not None and res.error.file == str(b) and res.error.line == 1
    assert str(a) in res.error.message and str(b) in res.error.message and "cycle" in res.error.message


@pytest.mark.parametrize("policy_prints", [False, True], ids=["module-only", "interleaved"])
def test_module_prints_reach_the_fast_path_result(tmp_path, policy_prints):
    """A module runs on the closure backend inside a generated-code run; what it prints is the run's output, in
    order with the policy's own prints, exactly as when the closure backend runs the whole policy."""
    write(tmp_path, "m.sentinel", 'print("m loaded")\nfunc say(x) { print("m says", x)\n return true }\n')
    before = 'print("policy first")\n' if policy_prints else ""
    p = policy_with(tmp_path, before + 'import "m"\nmain = rule { m.say(1) }\n')
    imports = ImportSet({"m": ModuleImport("m", str(tmp_path / "m.sentinel"))})
    policy = compile_policy(p.read_text(), filename=str(p))
    assert policy._fast is not None
    fast = policy.evaluate(imports=imports)
    reference = policy.evaluate(imports=imports, trace=True)
    assert fast.result is True and reference.result is True
    expected = (["policy first"] if policy_prints else []) + ["m loaded", "m says 1"]
    assert reference.prints == expected
    assert fast.prints == expected
