"""Column alignment for ``jobguard fmt``: the elastic-tabstop rules of Go's ``text/tabwriter`` as gofmt configures it.

Why a port and not ``str.ljust``: ``sentinel fmt`` is built on Go's printer, and which lines align with which is
decided entirely by tabwriter's cell model. Text is split into cells terminated by ``\\t`` (a "hard" tab, used for
indentation) or ``\\v`` (a "soft" tab, used before an aligned value or trailing comment); the cells of one column
are the tab-terminated cells at the same index in *consecutive* lines, and the column is as wide as its widest cell
plus one blank of padding. So an alignment section ends at any line with fewer cells, at a line of a single cell
(that flushes the writer), and at a ``\\f`` (form feed: a line break that ends every open column). The printer
decides where those breaks go; this module only turns cells into text.

gofmt's settings, which are the only ones used here: ``minwidth=0, tabwidth=8, padding=1, padchar=' '``, flags
``DiscardEmptyColumns | TabIndent`` (leading empty cells are written as tabs, and a column made only of empty
soft-tab cells takes no room). Text between two ``escape`` characters is opaque: it is one cell segment however many
tabs or newlines it holds, and its width is its number of characters.

After alignment the output runs through gofmt's *trimmer*: the escape characters are removed, ``\\f`` becomes a
newline and trailing blanks and tabs at the end of every line are dropped (escaped text is left as it is).
"""

from __future__ import annotations

import re

TABWIDTH = 8
PADDING = 1

_SPLIT = re.compile(r"([\t\v\n\f])")


class _Cell:
    """A segment of text ended by a tab or a line break: its text (escapes kept), width and how it ended."""

    __slots__ = ("text", "width", "htab")

    def __init__(self, text: str, width: int, htab: bool):
        self.text = text
        self.width = width
        self.htab = htab


class TabWriter:
    """Formats a whole text at once (``format``); the result still contains the escape characters."""

    def __init__(self, escape: str):
        self.escape = escape
        self.out: list[str] = []
        self.lines: list[list[_Cell]] = [[]]
        self.widths: list[int] = []

    def format(self, text: str) -> str:
        """Align ``text`` and return it (escape characters included; see :func:`trim`)."""
        esc = self.escape
        cur_parts: list[str] = []
        cur_width = 0
        # Split into escaped (odd) and plain (even) segments; only plain text has tabs and line breaks that count.
        segments = text.split(esc)
        for k, seg in enumerate(segments):
            if k % 2:
                cur_parts.append(esc + seg + esc)
                cur_width += len(seg)
                continue
            for piece in _SPLIT.split(seg):
                if not piece:
                    continue
                if piece in "\t\v\n\f" and len(piece) == 1:
                    line = self.lines[-1]
                    line.append(_Cell("".join(cur_parts), cur_width, piece == "\t"))
                    cur_parts = []
                    cur_width = 0
                    if piece in "\n\f":
                        ncells = len(line)
                        self.lines.append([])
                        if piece == "\f" or ncells == 1:
                            # a form feed ends every column; a line of one cell cannot affect later lines
                            self._flush()
                else:
                    cur_parts.append(piece)
                    cur_width += len(piece)
        if cur_parts:
            # like Flush: an unterminated last cell joins its line (it is never part of a column)
            self.lines[-1].append(_Cell("".join(cur_parts), cur_width, False))
        self._flush()
        return "".join(self.out)

    # -- the elastic tabstop algorithm (text/tabwriter's format/writeLines) -------------------------------------
    def _flush(self) -> None:
        self._format(0, len(self.lines))
        self.lines = [[]]
        self.widths = []

    def _format(self, line0: int, line1: int) -> None:
        lines = self.lines
        column = len(self.widths)
        this = line0
        while this < line1:
            if column < len(lines[this]) - 1:
                # a cell exists in this column: print the lines above, then find the column block's extent
                self._write_lines(line0, this)
                line0 = this
                width = 0
                discardable = True
                while this < line1:
                    line = lines[this]
                    if column >= len(line) - 1:
                        break
                    c = line[column]
                    w = c.width + PADDING
                    if w > width:
                        width = w
                    if c.width > 0 or c.htab:
                        discardable = False
                    this += 1
                if discardable:
                    width = 0  # DiscardEmptyColumns
                self.widths.append(width)
                self._format(line0, this)
                self.widths.pop()
                line0 = this
            this += 1
        self._write_lines(line0, line1)

    def _write_lines(self, line0: int, line1: int) -> None:
        out = self.out
        widths = self.widths
        nwidths = len(widths)
        last = len(self.lines)
        for i in range(line0, line1):
            use_tabs = True  # TabIndent: leading empty cells are padded with tabs
            for j, c in enumerate(self.lines[i]):
                if not c.text:
                    if j < nwidths:
                        out.append(_padding(c.width, widths[j], use_tabs))
                else:
                    use_tabs = False
                    out.append(c.text)
                    if j < nwidths:
                        out.append(_padding(c.width, widths[j], False))
            if i + 1 != last:  # the last buffered line has no line break yet
                out.append("\n")


def _padding(textw: int, cellw: int, use_tabs: bool) -> str:
    if use_tabs:
        cellw = (cellw + TABWIDTH - 1) // TABWIDTH * TABWIDTH
        return "\t" * ((cellw - textw + TABWIDTH - 1) // TABWIDTH)
    return " " * (cellw - textw)


_TRAILING_SPACE = re.compile(r"[ \t]+(?=\n)")


def trim(text: str, escape: str) -> str:
    """gofmt's trimmer: drop escape characters and trailing blanks/tabs of every line (escaped text untouched)."""
    parts = text.split(escape)
    last = len(parts) - 1
    for k in range(0, len(parts), 2):
        seg = parts[k].replace("\v", "\t").replace("\f", "\n")
        seg = _TRAILING_SPACE.sub("", seg)
        if k == last:
            seg = seg.rstrip(" \t")
        parts[k] = seg
    return "".join(parts)


def align(text: str, escape: str) -> str:
    """Align the printer's output and trim it: the final formatted text."""
    return trim(TabWriter(escape).format(text), escape)
