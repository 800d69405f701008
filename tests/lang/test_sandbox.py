from jobguard.lang import compile_policy
from jobguard.lang.sandbox import Limits


def test_runaway_loop_stops_with_step_limit():
    p = compile_policy("f = func(n) { for range(1000) as i { n += i }\n return n }\n"
                       "main = rule { all range(1000) as i { f(i) > -1 } }", filename="p.sentinel")
    res = p.evaluate(limits=Limits(max_steps=5000))
    assert res.error is not None and "more than 5000 steps" in res.error.message
    assert res.error.file == "p.sentinel" and res.error.line >= 1


def test_deep_recursion_stops_with_depth_limit():
    p = compile_policy("f = func(n) { return f(n + 1) }\nmain = rule { f(0) }")
    res = p.evaluate(limits=Limits(max_depth=50))
    assert res.error is not None and "call depth exceeds 50" in res.error.message


def test_print_output_is_bounded():
    p = compile_policy('main = rule { all range(100) as i { print("xxxxxxxxxx") } }')
    res = p.evaluate(limits=Limits(max_output=200))
    assert res.error is not None and "print output exceeds" in res.error.message


def test_time_limit():
    p = compile_policy("main = rule { all range(1000000) as i { true } }")
    res = p.evaluate(limits=Limits(max_seconds=0.0))
    assert res.error is not None and "longer than" in res.error.message


def test_no_attribute_access_into_python_objects():
    class Secret:
        password = "hunter2"

    p = compile_policy("main = rule { x.password is defined or x.__class__ is defined }")
    res = p.evaluate(globals={"x": Secret()})
    assert res.error is not None and "cannot select" in res.error.message
    res = compile_policy('main = rule { "abc".upper is defined }').evaluate()
    assert res.error is not None
