from jobguard.lang import compile_policy

SRC = """# Docker only.
allowed = rule { all job.tasks as t { t.driver is "docker" } }
small = rule { job.count < 5 }
main = rule { allowed and small }
"""


def test_trace_format_on_failure_is_always_produced():
    res = compile_policy(SRC, filename="policies/docker.sentinel").evaluate(
        globals={"job": {"tasks": [{"driver": "exec"}], "count": 1}})
    assert res.result is False
    lines = res.trace.splitlines()
    assert lines[0] == "Fail - docker.sentinel"
    assert "Description:" in lines and "  Docker only." in lines
    assert 'FALSE - docker.sentinel:4:1 - Rule "main"' in lines
    assert "  FALSE - docker.sentinel:4:15 - allowed and small" in lines
    assert "    FALSE - docker.sentinel:4:15 - allowed" in lines
    assert 'FALSE - docker.sentinel:2:1 - Rule "allowed"' in lines
    assert any('all job.tasks as t { t.driver is "docker" }' in line for line in lines)
    assert lines.index('FALSE - docker.sentinel:4:1 - Rule "main"') < lines.index(
        'FALSE - docker.sentinel:2:1 - Rule "allowed"')


def test_no_trace_on_pass_unless_asked():
    p = compile_policy(SRC, filename="d.sentinel")
    job = {"tasks": [{"driver": "docker"}], "count": 1}
    assert p.evaluate(globals={"job": job}).trace == ""
    traced = p.evaluate(globals={"job": job}, trace=True).trace
    assert traced.startswith("Pass - d.sentinel") and 'TRUE - d.sentinel:3:1 - Rule "small"' in traced


def test_trace_includes_prints_and_errors():
    res = compile_policy('x = print("hello")\nmain = rule { 1 + true }', filename="e.sentinel").evaluate()
    assert "Print messages:" in res.trace and "hello" in res.trace
    assert "Error: e.sentinel:2:15: unsupported operand" in res.trace


def test_quantifier_operand_of_or_is_traced_once():
    src = 'p = ["a"]\nmain = rule {\n  1 == 2 or any p as x { x is "b" }\n}\n'
    lines = compile_policy(src, filename="d.sentinel").evaluate().trace.splitlines()
    assert lines.count('    FALSE - d.sentinel:3:13 - any p as x { x is "b" }') == 1
    assert "    FALSE - d.sentinel:3:3 - 1 == 2" in lines
