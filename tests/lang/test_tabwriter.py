"""The tabwriter's cell model (Go's text/tabwriter with gofmt's settings), on hand-made cell streams."""

from jobguard.lang.tabwriter import align, trim

ESC = "\uffff"


def test_consecutive_lines_form_one_column():
    # cells end with a soft tab; the column is as wide as the widest cell plus one blank
    assert align('"a":\v1\n"bbbb":\v2\n', ESC) == '"a":    1\n"bbbb": 2\n'


def test_a_line_without_the_cell_ends_the_column_block():
    text = 'a:\v1\nbbbbbb:\v2\nplain line\nc:\v3\n'
    assert align(text, ESC) == "a:      1\nbbbbbb: 2\nplain line\nc: 3\n"


def test_formfeed_ends_every_column():
    assert align("a:\v1\fbbbbbb:\v2\n", ESC) == "a: 1\nbbbbbb: 2\n"


def test_leading_hard_tabs_stay_tabs_and_indentation_cells_continue_blocks():
    text = "\tx:\v1\n\t\tdeeper\n\tyyyy:\v2\n"
    # the deeper line has a cell (empty, hard tab) in column 1, so the block of column 1 goes on through it
    assert align(text, ESC) == "\tx:    1\n\t\tdeeper\n\tyyyy: 2\n"


def test_empty_soft_tab_columns_are_discarded():
    assert align("a\v\vb\n", ESC) == "a b\n"


def test_escaped_text_is_one_segment_and_counts_its_characters():
    text = f"{ESC}a\tb{ESC}:\v1\nc:\v2\n"
    assert align(text, ESC) == "a\tb: 1\nc:   2\n"


def test_trailing_comments_align_across_lines():
    text = "x = 1\t// one\nlonger = 2\t// two\n"
    assert align(text, ESC) == "x = 1      // one\nlonger = 2 // two\n"


def test_trim_drops_trailing_blanks_but_not_inside_escapes():
    assert trim(f"a  \t\nb {ESC}c  {ESC}\n  \n", ESC) == "a\nb c  \n\n"
    assert trim("a\fb\v", ESC) == "a\nb"
