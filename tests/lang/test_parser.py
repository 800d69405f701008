import pytest

from jobguard.lang import PolicySyntaxError
from jobguard.lang import nodes as n
from jobguard.lang.parser import parse


def first(src):
    return parse(src).body[0]


def test_statement_kinds():
    body = parse(
        'import "strings"\nimport "time" as t\nparam limit default 3\nparam req\n'
        "func f(a, b) { return a }\nx = 1\nx += 2\nm[\"k\"] = 1\nm.k = 2\n"
        "if x { y = 1 } else if z { y = 2 } else { y = 3 }\n"
        "for xs as i, v { continue }\ncase x { when 1, 2: y = 1\nelse: y = 2 }\nprint(x)\n"
    ).body
    kinds = [type(s).__name__ for s in body]
    assert kinds == ["Import", "Import", "Param", "Param", "FuncDecl", "Assign", "Assign", "Assign", "Assign", "If",
                     "For", "Case", "ExprStmt"]
    assert body[1].alias == "t" and body[0].alias == "strings"
    assert body[3].default is None
    assert body[6].op == "+="
    assert body[10].names == ["i", "v"]
    assert len(body[11].clauses) == 1 and body[11].orelse is not None


def test_precedence_follows_sentinel():
    e = first("a or b and c == d else e + f * g").expr
    assert isinstance(e, n.Binary) and e.op == "or"
    right = e.right
    assert right.op == "and"
    cmp_ = right.right
    assert cmp_.op == "=="
    else_ = cmp_.right
    assert else_.op == "else"
    assert else_.right.op == "+" and else_.right.right.op == "*"


def test_else_binds_tighter_than_comparison():
    e = first('x is not "host" else true').expr
    assert e.op == "is not" and e.right.op == "else"


def test_unary_and_postfix():
    e = first("not a and -b < 3").expr
    assert e.op == "and" and isinstance(e.left, n.Unary) and e.left.op == "not"
    e = first("a.b is not empty").expr
    assert isinstance(e, n.Postfix) and e.op == "is not empty"


def test_quantifiers_rules_funcs():
    e = first("v = all xs as x { x > 1 }").value
    assert isinstance(e, n.Quantifier) and e.kind == "all" and e.names == ["x"]
    e = first("v = rule when a { b }").value
    assert isinstance(e, n.RuleExpr) and e.when is not None
    e = first("v = func(a,\n b,\n) { return a }").value
    assert isinstance(e, n.FuncLit) and e.params == ["a", "b"]
    e = first('v = map xs as _, id { { "id": id } }').value
    assert isinstance(e.body, n.MapLit)


def test_slices_and_selectors():
    e = first("a[1:]").expr
    assert isinstance(e, n.Slice) and e.high is None
    e = first("a[:]").expr
    assert e.low is None and e.high is None
    e = first("x.if.else").expr
    assert isinstance(e, n.Selector) and e.name == "else"


def test_positions():
    body = parse("a = 1\n\n  b = c.d\n").body
    assert (body[1].line, body[1].col) == (3, 3)
    assert (body[1].value.line, body[1].value.col) == (3, 7)


def test_description_is_top_comment():
    mod = parse("# Line one\n# Line two\n\n# not this\nmain = rule { true }\n")
    assert mod.description == "Line one\nLine two"
    assert parse("main = rule { true } # trailing\n").description == ""


@pytest.mark.parametrize("src,line,col", [
    ("{\n", 2, 1),
    ("if x < y {\n return x\n} else meatpopsicle {\n return y\n}\n", 3, 8),
    ("v = badquant foo as bar { bar }\n", 1, 14),
    ("a = [1]\nb = a[]\n", 2, 7),
    ('x = "open\n', 1, 5),
])
def test_syntax_errors_have_positions(src, line, col):
    with pytest.raises(PolicySyntaxError) as info:
        parse(src, "p.sentinel")
    d = info.value.diagnostics[0]
    assert (d.file, d.line, d.column) == ("p.sentinel", line, col)
    assert str(d).startswith(f"p.sentinel:{line}:{col}: ")


def test_all_errors_are_reported():
    with pytest.raises(PolicySyntaxError) as info:
        parse("a = )\nb = 1\nc = ]\nd = (\n", "p.sentinel")
    lines = [d.line for d in info.value.diagnostics]
    assert lines[:2] == [1, 3] and len(lines) >= 2


def test_assignment_target_must_be_assignable():
    with pytest.raises(PolicySyntaxError) as info:
        parse("f() = 3\n", "p.sentinel")
    assert "cannot assign" in str(info.value)
