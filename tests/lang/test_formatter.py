import pytest

from jobguard.lang import PolicySyntaxError
from jobguard.lang.formatter import format_source
from jobguard.lang.lexer import tokenize

UGLY = """# doc
import "strings"
main=rule{all job.task_groups as tg{
all tg.tasks as t{
t.driver is"docker"and
   strings.has_prefix(t.config.image ,"nginx")
}
}
}



f = func( a,b ) { return -a+b*( 2 ) } // trailing
x = [ 1,2 ,3 ][ 1 : 2 ]
y = {"a" :1}
case x {
when 1:
y = 2
else:
y = 3
}
"""

EXPECTED = """# doc
import "strings"
main = rule { all job.task_groups as tg {
    all tg.tasks as t {
      t.driver is "docker" and
        strings.has_prefix(t.config.image, "nginx")
    }
  }
}

f = func(a, b) { return -a + b * (2) } // trailing
x = [1, 2, 3][1:2]
y = {"a": 1}
case x {
  when 1:
    y = 2
  else:
    y = 3
}
"""


def test_format_layout():
    assert format_source(UGLY) == EXPECTED


def test_format_is_idempotent_and_keeps_tokens():
    once = format_source(UGLY)
    assert format_source(once) == once
    strip = lambda s: [(t.type, t.value) for t in tokenize(s)[0]]  # noqa: E731
    assert strip(once) == strip(UGLY)


def test_comments_and_multiline_comments_are_kept():
    src = '"7" /*\nHello */ "8"\n# end\n'
    assert format_source(src) == src


def test_syntax_error_formats_nothing():
    with pytest.raises(PolicySyntaxError) as info:
        format_source("main = rule {\n", "bad.sentinel")
    assert str(info.value).startswith("bad.sentinel:2:1")


def test_blank_lines_collapse_and_final_newline():
    assert format_source("\n\na = 1\n\n\n\nb = 2") == "a = 1\n\nb = 2\n"
