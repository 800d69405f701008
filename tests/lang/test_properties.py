"""Property tests: garbled policies only ever raise PolicySyntaxError; random job values never crash evaluation."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobguard.lang import EvalResult, PolicyRuntimeError, PolicySyntaxError, compile_policy
from jobguard.lang.formatter import format_source

SEEDS = [
    'import "strings"\nmain = rule { all job.task_groups as tg { tg.count < 10 } }\n',
    "f = func(a, b) {\n  for a as k, v {\n    if v > b { return k } else { continue }\n  }\n  return null\n}\n",
    'case x {\nwhen 1, "a":\n  y = [1, 2][0:1]\nelse:\n  y = {"k": -1.5e3}\n}\n',
    "r = rule when a is not empty { b not in c or d matches \"^x\" else false }\nmain = rule { r }\n",
    "param p default 3\nv = map xs as i, x { x * p % 2 }\nw = filter m as k { k contains \"a\" }\n",
    '/* c */ x += 1 // y\n# z\ns = "a\\n\\"b" + `raw`\n',
]
PIECES = ["{", "}", "(", ")", "[", "]", ",", ":", ".", "=", "+=", " ", "\n", '"', "`", "/*", "*/", "#", "//", "and",
          "or", "not", "is", "is not", "empty", "defined", "in", "rule", "func", "all", "any", "as", "else", "if",
          "for", "case", "when", "return", "break", "0x", "1.e", "09", "\\", "@", "!", "-", "é", "\t", ";"]


@st.composite
def garbled(draw):
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(PIECES) | st.text(max_size=3))
        if op == "insert":
            text = text[:pos] + piece + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 5)):]
        else:
            text = text[:pos] + piece + text[pos + len(piece):]
    return text


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(garbled())
def test_garbled_policies_never_crash_the_parser(source):
    try:
        policy = compile_policy(source, filename="g.sentinel")
    except PolicySyntaxError as exc:
        assert exc.diagnostics and all(d.file == "g.sentinel" for d in exc.diagnostics)
        return
    res = policy.evaluate(globals={"job": {}, "x": 1, "xs": [1], "m": {"a": 1}})
    assert isinstance(res, EvalResult)
    formatted = format_source(source)
    assert format_source(formatted) == formatted


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["task_groups", "tasks", "count", "driver", "config", "image", "name", "update", "canary",
                         "resources", "cpu", "memory_mb", "constraints", "l_target", "datacenters", "namespace",
                         "meta"]) | st.text(max_size=5), children, max_size=5),
    max_leaves=25,
)

POLICIES = [
    'main = rule { all job.task_groups as tg { all tg.tasks as t { t.driver is "docker" } } }',
    "main = rule { all job.task_groups as tg { tg.update.canary > 0 } }",
    'import "strings"\nmain = rule { all job.task_groups as tg { all tg.tasks as t {\n'
    '  strings.has_prefix(t.config.image, "nginx") } } }',
    "f = func(tgs) {\n  total = 0\n  for tgs as g { for g.tasks as t { total += t.resources.cpu * g.count } }\n"
    "  return total\n}\nmain = rule { f(job.task_groups) <= 1500 }",
    "main = rule { length(job.datacenters) > 1 and job.namespace in job.meta }",
    'main = rule { (job.task_groups[0].tasks[0].config.network_mode is not "host") else true }',
    'main = rule { any job.constraints as c { c.l_target is "${meta.namespace}" } or job is empty }',
]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(job=json_values, which=st.integers(0, len(POLICIES) - 1))
def test_random_job_values_never_crash_evaluation(job, which):
    policy = compile_policy(POLICIES[which], filename="p.sentinel")
    res = policy.evaluate(globals={"job": job})
    assert res.error is None or isinstance(res.error, PolicyRuntimeError)
    assert res.result in (True, False) or res.error is not None or repr(res.result) == "undefined"
