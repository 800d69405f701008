from jobguard.lang.lexer import tokenize


def types(src):
    return [t.type for t in tokenize(src)[0]]


def texts(src):
    return [t.text for t in tokenize(src)[0] if t.type != "$END"]


def test_semicolon_inserted_after_statement_end_tokens():
    assert types("a = 1\nb = c\n") == ["IDENT", "ASSIGN", "INT", "SEMI", "IDENT", "ASSIGN", "IDENT", "SEMI", "$END"]


def test_no_semicolon_after_operator_or_comma_or_open_brace():
    assert "SEMI" not in types("x = a and\n b")[:-2]
    assert types("f(a,\nb)").count("SEMI") == 1  # only the final one


def test_implicit_line_joining_inside_parens_and_brackets():
    assert types("x = [\n1,\n2\n]").count("SEMI") == 1
    assert types("f(a\n, b)").count("SEMI") == 1


def test_braces_inside_parens_reenable_insertion():
    toks = types("f(func() {\n a = 1\n b = 2\n})")
    assert toks.count("SEMI") == 3


def test_multiline_block_comment_counts_as_newline():
    assert texts('"7" /*\nHello */ "8"') == ['"7"', "\n", '"8"', "\n"]
    assert texts('"3" /* one line */ "4"') == ['"3"', '"4"', "\n"]


def test_line_comments_end_statements():
    assert texts("x // c\ny # d\n") == ["x", "\n", "y", "\n"]


def test_compound_operators():
    assert types("a is not empty")[:2] == ["IDENT", "IS_NOT_EMPTY"]
    assert types("a is not defined")[1] == "IS_NOT_DEFINED"
    assert types("a is empty")[1] == "IS_EMPTY"
    assert types("a is defined")[1] == "IS_DEFINED"
    assert types("a is not b")[1] == "IS_NOT"
    assert types("a not in b")[1] == "NOT_IN"
    assert types("a not contains b")[1] == "NOT_CONTAINS"
    assert types("a not matches b")[1] == "NOT_MATCHES"
    assert types("not x")[0] == "NOT"
    assert types("a is emptyish")[1] == "IS"


def test_keywords_after_dot_are_identifiers():
    assert types("x.all and x.if")[:5] == ["IDENT", "DOT", "IDENT", "AND", "IDENT"]


def test_numbers():
    toks = tokenize("42 0x1F 0600 1.5 .5 1e3 2.")[0]
    assert [t.value for t in toks[:7]] == [42, 31, 384, 1.5, 0.5, 1000.0, 2.0]
    assert tokenize("09")[0][0].type == "ILLEGAL"


def test_string_escapes_and_raw_strings():
    toks = tokenize(r'"a\n\"b\"\\ \u00e9" `raw\n`')[0]
    assert toks[0].value == 'a\n"b"\\ é'
    assert toks[1].value == "raw\\n"


def test_illegal_tokens_have_positions():
    toks = tokenize('x = 1\n  y = "unterminated\n')[0]
    bad = [t for t in toks if t.type == "ILLEGAL"]
    assert bad and (bad[0].line, bad[0].col) == (2, 7)
    assert tokenize("a @ b")[0][1].type == "ILLEGAL"


def test_positions_are_one_based():
    toks = tokenize("a =\n  b")[0]
    assert (toks[0].line, toks[0].col) == (1, 1)
    assert (toks[2].line, toks[2].col) == (2, 3)
