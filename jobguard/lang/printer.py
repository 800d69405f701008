"""The layout engine of ``jobguard fmt``: Go's ``go/printer`` model, applied to Sentinel's syntax.

``sentinel fmt`` is HashiCorp's fork of Go's printer, so its output follows gofmt's rules; this module implements
those rules (learned from go/printer's documented design and from policy libraries kept clean with
``sentinel fmt -check``), not a look-alike:

* The printer emits tokens and *whitespace commands* (blank, vtab, newline, formfeed, indent, unindent). Whitespace
  is buffered and only written before the next token, so comments found in the source before that token can be
  interleaved with it (leading comments on their own lines at the indentation of what follows, trailing comments
  after a tab so consecutive ones align, at most one blank line kept anywhere).
* Line structure comes from the source: a list element, operator operand, call argument or statement that started
  on a new line starts on a new line, one that did not stays on its line. Blank lines are kept, runs collapse to one.
* Alignment is the tabwriter's (tabwriter.py): ``key:`` of a map entry is followed by a vtab, so consecutive entries
  of one map align their values; a formfeed (used at the first break of a list, after a multi-line entry, between
  entries whose keys differ a lot in size, before comments) ends an alignment section. The size rule is the one of
  the Go printer Sentinel forked: keys up to 20 characters always align; otherwise a key 4 times longer or shorter
  than the previous key starts a new section.
* Indentation is one tab per level; a binary expression continued on the next line is indented one more level,
  except directly in a ``rule { }`` body, where the operands of the rule's condition line up with each other.
* Sentinel specifics: ``rule``, quantifier (``all/any/filter/map``) and func bodies stay on one line when their
  braces were on one line (func bodies also only while short, as in Go); ``case`` puts ``when``/``else:`` at the
  ``case``'s level like Go's ``switch``; a newline is never written where Sentinel would insert a semicolon.

Sizes of keys and one-line bodies are measured by printing the node alone (``node_size``), like go/printer does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jobguard.lang import cst as c
from jobguard.lang.lexer import Comment, Tok

# whitespace commands (go/printer's whiteSpace values)
IGNORE = ""
BLANK = " "
VTAB = "\v"
NEWLINE = "\n"
FORMFEED = "\f"
INDENT = ">"
UNINDENT = "<"

# printer modes (toggled)
NO_EXTRA_BLANK = 1
NO_EXTRA_LINEBREAK = 2

# exprList modes
COMMA_TERM = 1
NO_INDENT = 2

MAX_NEWLINES = 2
INFINITY = 1 << 30
ILLEGAL = "ILLEGAL"  # "last token was whitespace"

# Tokens after which a newline ends the statement (lexer.py's rule); never break a line there.
_ENDS_STATEMENT = {
    "IDENT", "INT", "FLOAT", "STRING", "RPAR", "RSQB", "RBRACE", "BREAK", "CONTINUE",
    "IS_EMPTY", "IS_NOT_EMPTY", "IS_DEFINED", "IS_NOT_DEFINED",
}

Pos = tuple  # (offset, line, column)

_CONTROL = re.compile(r"[\x00-\x1f]")
_STATEMENTS = (c.Assign, c.ExprStmt, c.Return, c.Branch, c.If, c.For, c.Case, c.Import, c.Param, c.FuncDecl)


def is_line_comment(text: str) -> bool:
    """``#`` and ``//`` comments run to the end of the line; ``/* */`` comments do not."""
    return not text.startswith("/*")


class CommentGroup:
    """Comments with nothing but line breaks between them (go/parser's grouping)."""

    __slots__ = ("comments", "has_newline")

    def __init__(self, comments: list[Comment]):
        self.comments = comments
        line = comments[0].line
        self.has_newline = any(
            cm.line != line or is_line_comment(cm.text) or "\n" in cm.text for cm in comments)


def group_comments(comments: list[Comment], tokens: list[Tok]) -> list[CommentGroup]:
    """Group like go/parser: a comment on the line of the token before it starts a group of same-line comments;
    otherwise a group runs over comments on consecutive lines."""
    real = [t for t in tokens if not (t.type == "SEMI" and t.implied) and t.type != "$END"]
    groups: list[CommentGroup] = []
    ti = 0
    cur: list[Comment] = []
    cur_n = 1
    prev_end_line = 0
    for cm in comments:
        while ti < len(real) and real[ti].pos < cm.pos:
            ti += 1
        prev_tok = real[ti - 1] if ti else None
        after_token = bool(cur) and prev_tok is not None and prev_tok.pos > cur[-1].pos
        if cur and (after_token or cm.line > prev_end_line + cur_n):
            groups.append(CommentGroup(cur))
            cur = []
        if not cur:
            cur_n = 0 if (prev_tok is not None and prev_tok.end_line == cm.line) else 1
        cur.append(cm)
        prev_end_line = cm.end_line
    if cur:
        groups.append(CommentGroup(cur))
    return groups


class _DoesNotFit(Exception):
    """Raised by a measuring printer as soon as its output leaves one line or exceeds its limit."""


class Printer:
    """Prints CST nodes into text for the tabwriter (cells separated by tabs/vtabs, literals escaped).

    With ``limit`` set the printer only measures: it stops (``_DoesNotFit``) at the first line break, control
    character or when the text grows past ``limit`` bytes, so measuring a large multi-line node costs one line.
    """

    def __init__(self, escape: str, groups: list[CommentGroup] | None = None,
                 sizes: dict[int, int] | None = None, limit: int | None = None):
        self.escape = escape
        self.limit = limit
        self.size = 0
        self.output: list[str] = []
        self.out_nonempty = False
        self.indent = 0
        self.level = 0  # > 0 inside a list or map literal
        self.mode = 0
        self.implied_semi = False
        self.last_tok = ILLEGAL
        self.prev_open = ILLEGAL
        self.wsbuf: list = []
        # positions: source ("pos", advanced as we write), output ("out"), after the last written token ("last")
        self.pos_off, self.pos_line, self.pos_col = 0, 1, 1
        self.out_line, self.out_col = 1, 1
        self.last_off, self.last_line, self.last_col = 0, 1, 1
        self.line_ptr: list[int] | None = None
        self.brackets: list[str] = []
        self.groups = groups or []
        self.gindex = 0
        self.group: CommentGroup | None = None
        self.comment_offset = INFINITY
        self.comment_newline = False
        self.sizes = sizes if sizes is not None else {}
        self._next_group()

    # -- comments bookkeeping -----------------------------------------------------------------------------------
    def _next_group(self) -> None:
        if self.gindex < len(self.groups):
            self.group = self.groups[self.gindex]
            self.gindex += 1
            self.comment_offset = self.group.comments[0].pos
            self.comment_newline = self.group.has_newline
        else:
            self.group = None
            self.comment_offset = INFINITY

    def _comment_before(self, next_off: int) -> bool:
        return self.comment_offset < next_off and (not self.implied_semi or not self.comment_newline)

    def _comment_size_before(self, next_off: int) -> int:
        saved = (self.gindex, self.group, self.comment_offset, self.comment_newline)
        size = 0
        while self._comment_before(next_off):
            for cm in self.group.comments:
                size += len(cm.text)
            self._next_group()
        self.gindex, self.group, self.comment_offset, self.comment_newline = saved
        return size

    # -- low-level writing --------------------------------------------------------------------------------------
    def _write_indent(self) -> None:
        n = self.indent
        if n and self.limit is not None:
            raise _DoesNotFit
        if n:
            self.output.append("\t" * n)
            self.out_nonempty = True
        self.pos_off += n
        self.pos_col += n
        self.out_col += n

    def _write_byte(self, ch: str, n: int) -> None:
        if self.limit is not None:
            self._measure(ch * n)
        if self.out_col == 1:
            self._write_indent()
        self.output.append(ch * n)
        self.out_nonempty = True
        self.pos_off += n
        if ch == "\n" or ch == "\f":
            self.pos_line += n
            self.out_line += n
            self.pos_col = 1
            self.out_col = 1
            return
        self.pos_col += n
        self.out_col += n

    def _measure(self, s: str) -> None:
        self.size += len(s.encode())
        if self.size > self.limit or _CONTROL.search(s):
            raise _DoesNotFit

    def _write_string(self, pos: Pos | None, s: str, is_lit: bool) -> None:
        if self.limit is not None:
            self._measure(s)
        if self.out_col == 1:
            self._write_indent()
        if pos is not None:
            self.pos_off, self.pos_line, self.pos_col = pos
        if is_lit:
            self.output.append(self.escape + s + self.escape)
        else:
            self.output.append(s)
        self.out_nonempty = True
        nlines = s.count("\n")
        self.pos_off += len(s)
        if nlines:
            self.pos_line += nlines
            self.out_line += nlines
            col = len(s) - s.rfind("\n")
            self.pos_col = col
            self.out_col = col
        else:
            self.pos_col += len(s)
            self.out_col += len(s)
        self.last_off, self.last_line, self.last_col = self.pos_off, self.pos_line, self.pos_col

    def _write_whitespace(self, n: int) -> None:
        buf = self.wsbuf
        i = 0
        while i < n:
            ch = buf[i]
            if ch == IGNORE:
                pass
            elif ch == INDENT:
                self.indent += 1
            elif ch == UNINDENT:
                self.indent = max(self.indent - 1, 0)
            else:
                if (ch in (NEWLINE, FORMFEED)) and i + 1 < n and buf[i + 1] == UNINDENT:
                    # a line break followed by an unindent: unindent first, and end the section
                    buf[i], buf[i + 1] = UNINDENT, FORMFEED
                    continue
                self._write_byte(ch, 1)
            i += 1
        del buf[:n]

    # -- comments -----------------------------------------------------------------------------------------------
    def _write_comment_prefix(self, cm: Comment, next_pos: Pos, prev: Comment | None, tok: str) -> None:
        if not self.out_nonempty:
            return  # the comment is the first thing printed
        buf = self.wsbuf
        if cm.line == self.last_line and (prev is None or not is_line_comment(prev.text)):
            # comment on the same line as the last item: separate with at least one separator
            has_sep = False
            if prev is None:
                j = 0
                for i, ch in enumerate(buf):
                    if ch == BLANK:
                        buf[i] = IGNORE
                        continue
                    if ch == VTAB:
                        has_sep = True
                        continue
                    if ch == INDENT:
                        continue
                    j = i
                    break
                self._write_whitespace(j)
            if not has_sep:
                # a /* */ comment followed by more code on its line is separated by a blank, else by a tab
                self._write_byte(" " if cm.line == next_pos[1] else "\t", 1)
            return
        # comment on a different line: separate with at least one line break
        dropped_linebreak = False
        j = 0
        for i, ch in enumerate(buf):
            if ch in (BLANK, VTAB):
                buf[i] = IGNORE
                continue
            if ch == INDENT:
                continue
            if ch == UNINDENT:
                if i + 1 < len(buf) and buf[i + 1] == UNINDENT:
                    continue
                if tok != "RBRACE" and cm.col == next_pos[2]:
                    continue
            elif ch in (NEWLINE, FORMFEED):
                buf[i] = IGNORE
                dropped_linebreak = prev is None
            j = i
            break
        self._write_whitespace(j)
        n = max(cm.line - self.last_line, 0)
        if self.indent == 0 and dropped_linebreak:
            n += 1  # keep a blank line before a comment at the top level
        if n == 0 and prev is not None and is_line_comment(prev.text):
            n = 1
        if n > 0:
            self._write_byte("\f", min(n, MAX_NEWLINES))

    def _write_comment(self, cm: Comment) -> None:
        text = cm.text
        pos = (cm.pos, cm.line, cm.col)
        if is_line_comment(text):
            self._write_string(pos, text.rstrip(), True)
            return
        lines = text.split("\n")
        if cm.col == 1 and self.indent > 0:
            # the comment started in column 1 but will be indented: make every run look alike (idempotence)
            lines[1:] = ["   " + line for line in lines[1:]]
        strip_common_prefix(lines)
        for i, line in enumerate(lines):
            if i > 0:
                self._write_byte("\f", 1)
                pos = (self.pos_off, self.pos_line, self.pos_col)
            if line:
                self._write_string(pos, line.rstrip(), True)

    def _write_comment_suffix(self, needs_linebreak: bool) -> tuple[bool, bool]:
        wrote_newline = dropped_ff = False
        buf = self.wsbuf
        for i, ch in enumerate(buf):
            if ch in (BLANK, VTAB):
                buf[i] = IGNORE
            elif ch in (NEWLINE, FORMFEED):
                if needs_linebreak:
                    needs_linebreak = False
                    wrote_newline = True
                else:
                    if ch == FORMFEED:
                        dropped_ff = True
                    buf[i] = IGNORE
        self._write_whitespace(len(buf))
        if needs_linebreak:
            self._write_byte("\n", 1)
            wrote_newline = True
        return wrote_newline, dropped_ff

    def _contains_linebreak(self) -> bool:
        return any(ch in (NEWLINE, FORMFEED) for ch in self.wsbuf)

    def _intersperse_comments(self, next_pos: Pos, tok: str) -> tuple[bool, bool]:
        last: Comment | None = None
        while self._comment_before(next_pos[0]):
            for cm in self.group.comments:
                self._write_comment_prefix(cm, next_pos, last, tok)
                self._write_comment(cm)
                last = cm
            self._next_group()
        assert last is not None
        needs_linebreak = False
        if (self.mode & NO_EXTRA_BLANK == 0 and not is_line_comment(last.text) and last.line == next_pos[1]
                and tok != "COMMA" and (tok != "RPAR" or self.prev_open == "LPAR")
                and (tok != "RSQB" or self.prev_open == "LSQB")):
            if self._contains_linebreak() and self.mode & NO_EXTRA_LINEBREAK == 0 and self.level == 0:
                needs_linebreak = True
            else:
                self._write_byte(" ", 1)
        if is_line_comment(last.text) or tok == "EOF" or (tok == "RBRACE" and self.mode & NO_EXTRA_LINEBREAK == 0):
            needs_linebreak = True
        return self._write_comment_suffix(needs_linebreak)

    def flush(self, next_pos: Pos, tok: str) -> tuple[bool, bool]:
        """Print pending comments before ``next_pos`` and the buffered whitespace."""
        if self._comment_before(next_pos[0]):
            return self._intersperse_comments(next_pos, tok)
        self._write_whitespace(len(self.wsbuf))
        return False, False

    # -- the printing interface ---------------------------------------------------------------------------------
    def ws(self, *items) -> None:
        """Buffer whitespace commands (or toggle a mode with an int)."""
        for x in items:
            if isinstance(x, int):
                self.mode ^= x
                continue
            self._track_open()
            if x == IGNORE:
                continue
            self.wsbuf.append(x)
            if x in (NEWLINE, FORMFEED):
                self.implied_semi = False
            self.last_tok = ILLEGAL

    def at(self, pos: Pos | None) -> None:
        """Set the source position of the next item (``p.print(x.Pos())``)."""
        if pos is not None:
            self.pos_off, self.pos_line, self.pos_col = pos

    def _track_open(self) -> None:
        lt = self.last_tok
        if lt == ILLEGAL:
            return
        self.prev_open = lt if lt in ("LPAR", "LSQB") else ILLEGAL

    def token(self, text: str, kind: str, pos: Pos | None = None, is_lit: bool = False) -> None:
        """Print one token of type ``kind`` (lexer names), at source position ``pos`` when known."""
        self._track_open()
        if pos is not None:
            self.pos_off, self.pos_line, self.pos_col = pos
        if kind in ("MINUS", "PLUS") and self.last_tok == kind:
            self.wsbuf.append(BLANK)  # "- -x" must not become "--x"
        self.last_tok = kind
        next_pos = (self.pos_off, self.pos_line, self.pos_col)
        wrote_newline, dropped_ff = self.flush(next_pos, kind)

        # track brackets to know whether a newline after this token would end a statement
        if kind in ("LPAR", "LSQB", "LBRACE"):
            self.brackets.append(kind)
        elif kind in ("RPAR", "RSQB", "RBRACE") and self.brackets:
            self.brackets.pop()
        implied = kind in _ENDS_STATEMENT and (not self.brackets or self.brackets[-1] == "LBRACE")

        if not self.implied_semi:
            # keep line breaks of the source that no rule above placed (they never add a semicolon here)
            n = min(next_pos[1] - self.pos_line, MAX_NEWLINES)
            if wrote_newline and n == MAX_NEWLINES:
                n = MAX_NEWLINES - 1
            if n > 0:
                self._write_byte("\f" if dropped_ff else "\n", n)
                implied = False
        if self.line_ptr is not None:
            self.line_ptr[0] = self.out_line
            self.line_ptr = None
        self._write_string(next_pos, text, is_lit)
        self.implied_semi = implied

    def tok(self, t: Tok, is_lit: bool = False) -> None:
        """Print source token ``t`` at its position."""
        self.token(t.text, t.type, (t.pos, t.line, t.col), is_lit)

    def linebreak(self, line: int, min_: int, ws: str, new_section: bool) -> int:
        """Line breaks up to ``line`` (at least ``min_``, at most one blank line); ``ws`` goes before the first.
        The first break is a formfeed when ``new_section``. Returns 0, 1 (one newline) or > 1."""
        n = min(line - self.pos_line, MAX_NEWLINES)
        if n < min_:
            n = min_
        nbreaks = 0
        if n > 0:
            self.ws(ws)
            if new_section:
                self.ws(FORMFEED)
                n -= 1
                nbreaks = 2
            nbreaks += n
            for _ in range(n):
                self.ws(NEWLINE)
        return nbreaks

    def record_line(self, ptr: list[int]) -> None:
        self.line_ptr = ptr

    def lines_from(self, line: int) -> int:
        return self.out_line - line

    def finish(self) -> str:
        """Print trailing comments and return the raw output (for the tabwriter)."""
        self.implied_semi = False
        self.flush((INFINITY, INFINITY, INFINITY), "EOF")
        return "".join(self.output)

    # -- sizes --------------------------------------------------------------------------------------------------
    def node_size(self, node: c.Node, max_size: int) -> int:
        """Printed size of ``node`` alone (comments aside) if it fits on one line within ``max_size`` bytes, else
        ``max_size + 1`` (go/printer's nodeSize). Cached per node."""
        if type(node) is c.Leaf:  # the common case (map keys): the token is printed as written
            text = node.tok.text
            n = len(text.encode())
            return max_size + 1 if n > max_size or _CONTROL.search(text) else n
        key = id(node)
        size = self.sizes.get(key)
        if size is not None:
            return size
        self.sizes[key] = max_size + 1
        sub = Printer(self.escape, None, self.sizes, limit=max_size)
        try:
            if isinstance(node, _STATEMENTS):
                sub.stmt(node, False)
            else:
                sub.expr(node)
        except _DoesNotFit:
            return max_size + 1
        self.sizes[key] = sub.size
        return sub.size

    # -- expressions --------------------------------------------------------------------------------------------
    def expr(self, x: c.Node) -> None:
        self.expr1(x, 0, 1)

    def expr0(self, x: c.Node, depth: int) -> None:
        self.expr1(x, 0, depth)

    def expr1(self, x: c.Node, prec1: int, depth: int, flat: bool = False) -> None:
        self.at(x.pos())
        t = type(x)
        if t is c.Leaf:
            self.tok(x.tok, x.tok.type == "STRING")
        elif t is c.Binary:
            self.binary(x, prec1, depth, flat)
        elif t is c.Postfix:
            self.expr1(x.x, c.CMP_PREC, depth)
            self.ws(BLANK)
            self.token(" ".join(x.op.text.split()), x.op.type, c.tok_pos(x.op))
        elif t is c.Unary:
            self.token(x.op.text, x.op.type, c.tok_pos(x.op))
            if x.op.type == "NOT":
                self.ws(BLANK)
            self.expr1(x.x, c.UNARY_PREC, depth)
        elif t is c.Paren:
            if type(x.x) is c.Paren:
                self.expr0(x.x, depth)  # no parentheses around an already parenthesized expression
            else:
                self.tok(x.lparen)
                self.expr0(x.x, max(depth - 1, 1))
                self.tok(x.rparen)
        elif t is c.Selector:
            self.selector(x, depth, False)
        elif t is c.Index:
            self.expr1(x.x, c.HIGHEST_PREC, 1)
            self.tok(x.lbrack)
            self.expr0(x.index, depth + 1)
            self.tok(x.rbrack)
        elif t is c.Slice:
            self.slice(x, depth)
        elif t is c.Call:
            self.call(x, depth)
        elif t is c.ListLit:
            self.composite(x.lbrack, x.elts, x.rbrack)
        elif t is c.MapLit:
            self.composite(x.lbrace, x.elts, x.rbrace)
        elif t is c.KeyValue:
            self.expr(x.key)
            self.tok(x.colon)
            self.ws(BLANK)
            self.expr(x.value)
        elif t is c.FuncLit:
            self.tok(x.func)
            start_col = self.out_col - len("func")
            self.parameters(x.lparen, x.params, x.rparen)
            self.func_body(self.distance_from(x.func, start_col), BLANK, x.body)
        elif t is c.RuleLit:
            self.tok(x.rule)
            if x.when is not None:
                self.ws(BLANK)
                self.tok(x.when)
                self.ws(BLANK)
                self.expr(x.cond)
            self.ws(BLANK)
            self.expr_body(x.lbrace, x.body, x.rbrace, flat=True)
        elif t is c.Quantifier:
            self.iteration(x.kw, x.coll, x.as_, x.names)
            self.expr_body(x.lbrace, x.body, x.rbrace, flat=False)
        else:  # pragma: no cover - every expression node is handled above
            raise TypeError(f"cannot print {t.__name__}")

    def binary(self, x: c.Binary, prec1: int, depth: int, flat: bool) -> None:
        """Operands with blanks around the operator; a line break after the operator is kept and indents the
        continuation (each operator of a left-nested chain alike), unless ``flat`` (a rule's condition)."""
        prec = c.PREC[x.op.type]
        xx = x.x
        same = type(xx) is c.Binary and c.PREC[xx.op.type] == prec
        self.expr1(xx, prec, depth + (0 if same else 1), flat and type(xx) is c.Binary)
        self.ws(BLANK)
        xline = self.pos_line  # before the operator (it may be on the next line)
        yline = x.y.line
        self.token(" ".join(x.op.text.split()), x.op.type, c.tok_pos(x.op))
        indented = False
        print_blank = True
        if xline != yline and self.linebreak(yline, 1, IGNORE if flat else INDENT, True) > 0:
            indented = not flat
            print_blank = False
        if print_blank:
            self.ws(BLANK)
        self.expr1(x.y, prec + 1, depth + 1)
        if indented:
            self.ws(UNINDENT)

    def selector(self, x: c.Selector, depth: int, is_method: bool) -> bool:
        self.expr1(x.x, c.HIGHEST_PREC, depth)
        self.tok(x.dot)
        if x.name.line > self.pos_line:
            self.ws(INDENT, NEWLINE)
            self.tok(x.name)
            if not is_method:
                self.ws(UNINDENT)
            return True
        self.tok(x.name)
        return False

    def slice(self, x: c.Slice, depth: int) -> None:
        self.expr1(x.x, c.HIGHEST_PREC, 1)
        self.tok(x.lbrack)
        indices = [x.low, x.high]
        # blanks around ':' when both indices are given and one is a binary expression (as gofmt)
        blanks = depth <= 1 and all(i is not None for i in indices) and any(type(i) is c.Binary for i in indices)
        if x.low is not None:
            self.expr0(x.low, depth + 1)
            if blanks:
                self.ws(BLANK)
        self.token(":", "COLON")
        if x.high is not None:
            if blanks:
                self.ws(BLANK)
            self.expr0(x.high, depth + 1)
        self.tok(x.rbrack)

    def call(self, x: c.Call, depth: int) -> None:
        if len(x.args) > 1:
            depth += 1
        was_indented = False
        if type(x.fun) is c.Selector:
            was_indented = self.selector(x.fun, depth, True)
        else:
            self.expr1(x.fun, c.HIGHEST_PREC, depth)
        self.tok(x.lparen)
        self.expr_list(c.tok_pos(x.lparen), x.args, depth, COMMA_TERM, c.tok_pos(x.rparen))
        self.tok(x.rparen)
        if was_indented:
            self.ws(UNINDENT)

    def composite(self, lbrace: Tok, elts: list, rbrace: Tok) -> None:
        """List and map literals (go/printer's composite literal)."""
        self.level += 1
        self.tok(lbrace)
        self.expr_list(c.tok_pos(lbrace), elts, 1, COMMA_TERM, c.tok_pos(rbrace))
        mode = NO_EXTRA_LINEBREAK | (NO_EXTRA_BLANK if elts else 0)
        # the indent lets a comment alone before the closing bracket get the inner indentation
        self.ws(INDENT, UNINDENT, mode)
        self.tok(rbrace)
        self.ws(mode)
        self.level -= 1

    def expr_body(self, lbrace: Tok, body: c.Node, rbrace: Tok, flat: bool) -> None:
        """``{ expr }`` of a rule or quantifier: on one line if its braces were, else the expression on its own
        lines, one level in."""
        saved_level = self.level
        self.level = 0
        if lbrace.line == rbrace.line:
            self.tok(lbrace)
            self.ws(BLANK)
            self.expr1(body, 0, 1, flat)
            self.ws(BLANK, NO_EXTRA_LINEBREAK)
            self.tok(rbrace)
            self.ws(NO_EXTRA_LINEBREAK)
        else:
            self.tok(lbrace)
            self.ws(INDENT)
            self.linebreak(body.line, 1, IGNORE, True)
            self.expr1(body, 0, 1, flat)
            self.ws(UNINDENT)
            self.linebreak(rbrace.line, 1, IGNORE, True)
            self.tok(rbrace)
        self.level = saved_level

    def spaced(self, *parts: Tok | c.Node) -> None:
        """Tokens and expressions separated by one blank (``import "x" as y``, ``param p default v``)."""
        for i, part in enumerate(parts):
            if i:
                self.ws(BLANK)
            if isinstance(part, Tok):
                self.tok(part, part.type == "STRING")
            else:
                self.expr(part)

    def iteration(self, kw: Tok, coll: c.Node, as_: Tok, names: list[Tok]) -> None:
        """``for``/quantifier head: ``KW COLLECTION as NAME[, NAME] `` (the body follows)."""
        self.spaced(kw, coll, as_)
        self.ws(BLANK)
        for i, t in enumerate(names):
            if i:
                self.token(",", "COMMA")
                self.ws(BLANK)
            self.tok(t)
        self.ws(BLANK)

    def expr_list(self, prev: Pos | None, items: list, depth: int, mode: int, next_: Pos | None) -> None:
        """A comma-separated list that keeps the source's line breaks between elements; map entries alone on
        their line get their values aligned (go/printer's exprList, with the size rule of Sentinel's printer)."""
        if not items:
            return
        line = items[0].line
        end_line = items[-1].end_line
        if prev is not None and prev[1] == line and line == end_line:
            # all on one line
            for i, x in enumerate(items):
                if i:
                    self.at(x.pos())
                    self.token(",", "COMMA")
                    self.ws(BLANK)
                self.expr0(x, depth)
            return

        ws = IGNORE if mode & NO_INDENT else INDENT
        # the first line break is always a formfeed: this section must not depend on earlier formatting
        prev_break = -1
        if prev is not None and prev[1] < line and self.linebreak(line, 0, ws, True) > 0:
            ws = IGNORE
            prev_break = 0

        size = 0
        prev_line = prev[1] if prev is not None else 0
        for i, x in enumerate(items):
            line = x.line
            use_ff = True
            prev_size = size
            size = self.node_size(x, 1_000_000)
            is_pair = type(x) is c.KeyValue
            if size <= 1_000_000 and prev is not None and next_ is not None:
                if is_pair:
                    size = self.node_size(x.key, 1_000_000)
            else:
                size = 0
            if prev_size > 0 and size > 0:
                if prev_size <= 20 and size <= 20:
                    use_ff = False
                else:
                    ratio = size / prev_size
                    use_ff = ratio <= 0.25 or ratio >= 4

            needs_linebreak = 0 < prev_line < line
            if i > 0:
                if not needs_linebreak:
                    self.at(x.pos())
                self.token(",", "COMMA")
                needs_blank = True
                if needs_linebreak and self.linebreak(line, 0, ws, use_ff or prev_break + 1 < i) > 0:
                    ws = IGNORE
                    prev_break = i
                    needs_blank = False
                if needs_blank:
                    self.ws(BLANK)

            if len(items) > 1 and is_pair and size > 0 and needs_linebreak:
                # a key: value alone on its line: the value goes in a column so consecutive entries align
                self.expr(x.key)
                self.tok(x.colon)
                self.ws(VTAB)
                self.expr(x.value)
            else:
                self.expr0(x, depth)
            prev_line = line

        if mode & COMMA_TERM and next_ is not None and self.pos_line < next_[1]:
            # a closing bracket on its own line gets a trailing comma before it
            self.token(",", "COMMA")
            if ws == IGNORE and not mode & NO_INDENT:
                self.ws(UNINDENT)
            self.ws(FORMFEED)
            return
        if ws == IGNORE and not mode & NO_INDENT:
            self.ws(UNINDENT)

    def parameters(self, lparen: Tok, params: list[Tok], rparen: Tok) -> None:
        self.tok(lparen)
        if params:
            prev_line = lparen.line
            ws = INDENT
            for i, par in enumerate(params):
                needs_linebreak = 0 < prev_line < par.line
                if i > 0:
                    if not needs_linebreak:
                        self.at(c.tok_pos(par))
                    self.token(",", "COMMA")
                if needs_linebreak and self.linebreak(par.line, 0, ws, True) > 0:
                    ws = IGNORE
                elif i > 0:
                    self.ws(BLANK)
                self.tok(par)
                prev_line = par.end_line
            if 0 < prev_line < rparen.line:
                self.token(",", "COMMA")
                self.linebreak(rparen.line, 0, IGNORE, True)
            if ws == IGNORE:
                self.ws(UNINDENT)
        self.tok(rparen)

    def distance_from(self, start: Tok, start_col: int) -> int:
        if start.line == self.pos_line:
            return self.out_col - start_col
        return INFINITY

    def body_size(self, b: c.Block, max_size: int) -> int:
        if b.lbrace.line != b.rbrace.line or len(b.stmts) > 5:
            return max_size + 1
        size = self._comment_size_before(b.rbrace.pos)
        for i, s in enumerate(b.stmts):
            if size > max_size:
                break
            if i > 0:
                size += 2
            size += self.node_size(s, max_size)
        return size

    def func_body(self, header_size: int, sep: str, b: c.Block) -> None:
        """A short body whose braces were on one line stays on that line; otherwise a block."""
        saved_level = self.level
        self.level = 0
        max_size = 100
        if header_size + self.body_size(b, max_size) <= max_size:
            self.ws(sep)
            self.tok(b.lbrace)
            if b.stmts:
                self.ws(BLANK)
                for i, s in enumerate(b.stmts):
                    if i:
                        self.token(";", "SEMI")
                        self.ws(BLANK)
                    self.stmt(s, i == len(b.stmts) - 1)
                self.ws(BLANK)
            self.ws(NO_EXTRA_LINEBREAK)
            self.tok(b.rbrace)
            self.ws(NO_EXTRA_LINEBREAK)
        else:
            if sep != IGNORE:
                self.ws(BLANK)
            self.block(b, 1)
        self.level = saved_level

    # -- statements ---------------------------------------------------------------------------------------------
    def stmt_list(self, stmts: list[c.Node], nindent: int, next_is_rbrace: bool,
                  section: Callable[[int, list[int]], bool] | None = None) -> None:
        if nindent > 0:
            self.ws(INDENT)
        line = [0]
        for i, s in enumerate(stmts):
            if self.out_nonempty:
                new_section = section(i, line) if section else (i == 0 or nindent == 0 or
                                                                self.lines_from(line[0]) > 0)
                self.linebreak(s.line, 1, IGNORE, new_section)
            self.record_line(line)
            self.stmt(s, next_is_rbrace and i == len(stmts) - 1)
        if nindent > 0:
            self.ws(UNINDENT)

    def block(self, b: c.Block, nindent: int) -> None:
        self.tok(b.lbrace)
        self.stmt_list(b.stmts, nindent, True)
        self.linebreak(b.rbrace.line, 1, IGNORE, True)
        self.tok(b.rbrace)

    def file(self, stmts: list[c.Node]) -> None:
        """Top-level statements: like a block's (a multi-line statement ends an alignment section)."""
        self.stmt_list(stmts, 0, False, lambda i, line: self.lines_from(line[0]) > 0)
        self.ws(NEWLINE)

    def stmt(self, s: c.Node, next_is_rbrace: bool) -> None:
        self.at(s.pos())
        t = type(s)
        if t is c.ExprStmt:
            self.expr0(s.x, 1)
        elif t is c.Assign:
            self.expr_list(s.pos(), [s.lhs], 1, 0, c.tok_pos(s.op))
            self.ws(BLANK)
            self.tok(s.op)
            self.ws(BLANK)
            self.expr_list(c.tok_pos(s.op), [s.rhs], 1, 0, None)
        elif t is c.Return:
            self.tok(s.kw)
            self.ws(BLANK)
            self.expr_list(None, [s.x], 1, 0, None)
        elif t is c.Branch:
            self.tok(s.kw)
        elif t is c.If:
            self.tok(s.kw)
            self.ws(BLANK)
            self.expr(s.cond)
            self.ws(BLANK)
            self.block(s.body, 1)
            if s.orelse is not None:
                self.ws(BLANK)
                self.tok(s.else_)
                self.ws(BLANK)
                if type(s.orelse) is c.If:
                    self.stmt(s.orelse, next_is_rbrace)
                else:
                    self.block(s.orelse, 1)
        elif t is c.For:
            self.iteration(s.kw, s.coll, s.as_, s.names)
            self.block(s.body, 1)
        elif t is c.Case:
            # Unlike Go's switch, Sentinel writes a blank on each side of the subject even when there is none
            # ("case  {") and indents the when/else clauses one level inside the braces.
            self.tok(s.kw)
            self.ws(BLANK)
            if s.subject is not None:
                self.expr(s.subject)
            self.ws(BLANK)
            self.tok(s.lbrace)
            self.ws(INDENT)
            line = [0]
            for i, clause in enumerate(s.clauses):
                self.linebreak(clause.line, 1, IGNORE, i == 0 or self.lines_from(line[0]) > 0)
                self.record_line(line)
                self.clause(clause, i == len(s.clauses) - 1)
            self.ws(UNINDENT)
            self.linebreak(s.rbrace.line, 1, IGNORE, True)
            self.tok(s.rbrace)
        elif t is c.Import:
            self.spaced(s.kw, s.path, *((s.as_, s.alias) if s.alias is not None else ()))
        elif t is c.Param:
            self.spaced(s.kw, s.name, *((s.default, s.value) if s.value is not None else ()))
        elif t is c.FuncDecl:
            self.tok(s.func)
            self.ws(BLANK)
            start_col = self.out_col - len("func ")
            self.tok(s.name)
            self.parameters(s.lparen, s.params, s.rparen)
            self.func_body(self.distance_from(s.func, start_col), VTAB, s.body)
        else:  # pragma: no cover - every statement node is handled above
            raise TypeError(f"cannot print {t.__name__}")

    def clause(self, cl: c.Clause, is_last: bool) -> None:
        self.tok(cl.kw)
        if cl.exprs:
            self.ws(BLANK)
            self.expr_list(c.tok_pos(cl.kw), cl.exprs, 1, 0, c.tok_pos(cl.colon))
        self.tok(cl.colon)
        self.stmt_list(cl.stmts, 1, is_last)


def strip_common_prefix(lines: list[str]) -> None:
    """Re-indent the inner lines of a ``/* */`` comment: remove the white prefix they share (go/printer's
    heuristic: a column of ``*`` is kept aligned, text keeps its indentation relative to the ``/*``)."""
    if len(lines) <= 1:
        return
    prefix = ""
    prefix_set = False
    if len(lines) > 2:
        for i in range(1, len(lines) - 1):
            line = lines[i]
            if _is_blank(line):
                lines[i] = ""
            else:
                if not prefix_set:
                    prefix = line
                    prefix_set = True
                prefix = _common_prefix(prefix, line)
    if not prefix_set:
        line = lines[-1]
        prefix = _common_prefix(line, line)

    line_of_stars = False
    i = prefix.find("*")
    if i >= 0:
        if i > 0 and prefix[i - 1] == " ":
            i -= 1
        prefix = prefix[:i]
        line_of_stars = True
    else:
        first = lines[0]
        if _is_blank(first[2:]):
            i = len(prefix)
            n = 0
            while n < 3 and i > 0 and prefix[i - 1] == " ":
                i -= 1
                n += 1
            if i == len(prefix) and i > 0 and prefix[i - 1] == "\t":
                i -= 1
            prefix = prefix[:i]
        else:
            n = 2
            suffix = []
            while n < len(first) and first[n] <= " ":
                suffix.append(first[n])
                n += 1
            if n > 2 and first[2] == "\t":
                suf = "".join(suffix)
            else:
                suf = "  " + "".join(suffix)
            if suf and prefix.endswith(suf):
                prefix = prefix[:len(prefix) - len(suf)]

    last = lines[-1]
    closing = "*/"
    i = last.find(closing)
    if _is_blank(last[:i]):
        if line_of_stars:
            closing = " */"
        lines[-1] = prefix + closing
    else:
        prefix = _common_prefix(prefix, last)

    for k in range(1, len(lines)):
        if lines[k]:
            lines[k] = lines[k][len(prefix):]


def _is_blank(s: str) -> bool:
    return all(ch <= " " for ch in s)


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i] and (a[i] <= " " or a[i] == "*"):
        i += 1
    return a[:i]
