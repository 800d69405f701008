"""The Markdown summary: job text inert under GitHub's own renderer (cmark-gfm), and a byte-capped document."""

from __future__ import annotations

import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from jobguard.report.base import FileResult, RunResult
from jobguard.report.markdown import MarkdownReporter, cell
from jobguard.report.mdsafe import code, text, truncate_utf8

from .conftest import make_finding

ISSUE_PAYLOAD = "evil/[click me](https://evil.example/x)*bold*:1.0"
PAYLOADS = [
    ISSUE_PAYLOAD,
    "![pixel](https://evil.example/p.png)",
    "<img src=https://evil.example/p.png> <a href='https://evil.example'>x</a> <script>alert(1)</script>",
    "see https://evil.example/login and www.evil.example and mail admin@evil.example",
    "**strong** _em_ ~~strike~~ `code` $x^2$ <https://evil.example/auto>",
    "a | b | c",
    "cc @octocat and @org/team, fixes #123 and org/repo#7",
    "line one\nline two\r\n# heading\n> quote\n- item\n1. one",
    "[ref]: https://evil.example/ref\n[x][ref]",
    "```\nfence\n```",
    "&lt;img src=x&gt; &amp; &#60;b&#62;",
    "- item", "+ item", "1. one", "12) twelve", "> quote", "---", "***", "=== x", "# title",
    "www.evil.example/path", "WWW.EVIL.EXAMPLE", "admin@evil.example", "mailto:admin@evil.example",
    "<https://evil.example>", "[x]: https://evil.example", "~~~", "x\\", "\\[not a link](https://evil.example)",
]


def gfm(markdown: str) -> str:
    """HTML as GitHub renders it (cmark-gfm with its table, autolink, strikethrough and tagfilter extensions);
    unsafe so that raw HTML would show up rather than be dropped by the renderer."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def visible_text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def assert_inert(html: str) -> None:
    assert "evil.example" not in " ".join(re.findall(r'(?:href|src)="([^"]*)"', html))
    for tag in ("<a ", "<img", "<script", "<strong", "<em>", "<del>", "<h1", "<blockquote", "<ol", "<pre"):
        assert tag not in html, tag
    # GitHub links @mentions and #refs in rendered text: none may survive as plain text
    plain = visible_text(re.sub(r"<code>.*?</code>", "", html, flags=re.S))
    assert not re.search(r"(?<![\w\u200b])@[A-Za-z0-9]", plain)
    assert not re.search(r"(?<![\w\u200b])#\d", plain)


def assert_report_inert(html: str) -> None:
    """The report's own markup aside (verdict, headings, details), every table cell and list item is inert."""
    parts = re.findall(r"<td>(.*?)</td>|<li>(.*?)</li>", html, flags=re.S)
    assert parts
    for td, li in parts:
        assert_inert(td or li)
    assert "evil.example" not in " ".join(re.findall(r'(?:href|src)="([^"]*)"', html))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_renders_as_exactly_its_characters_and_nothing_else(payload):
    html = gfm(f"- {text(payload)}\n")
    assert_inert(html)
    assert html.count("<li") == 1  # no list of its own
    shown = visible_text(html).strip().replace("\u200b", "")
    assert shown == " ".join(payload.replace("\r\n", "\n").split("\n")).strip()


@pytest.mark.parametrize("payload", PAYLOADS + ["x`y``z", "`edge`", " spaced ", "a|b`|`c"])
def test_code_spans_in_table_cells(payload):
    html = gfm(f"| a | b |\n| --- | --- |\n| {code(payload)} | {text(payload)} |\n")
    assert_inert(html)
    cells = re.findall(r"<td>(.*?)</td>", html, flags=re.S)
    assert len(cells) == 2  # a | or a newline in the value did not add or end cells
    flat = " ".join(payload.replace("\r\n", "\n").split("\n"))
    assert visible_text(re.sub(r"^<code>|</code>$", "", cells[0])) == flat
    assert visible_text(cells[1]).replace("\u200b", "") == flat.strip()


def test_cell_is_text():
    assert cell("a|b\nc") == "a\\|b c"
    assert cell('x <img src="y"> & z') == 'x &lt;img src="y"&gt; &amp; z'


def test_the_issue_payload_in_a_whole_report(sample_run):
    f = sample_run.files[0].findings[0]
    f.message = f"image {ISSUE_PAYLOAD} is not approved"
    f.job = "@octocat [x](https://evil.example)"
    sample_run.files[0].findings[3].suppression["reason"] = "see #123 <img src=https://evil.example/p.png>"
    out = MarkdownReporter().render(sample_run)
    html = gfm(out)
    assert_report_inert(html)
    assert "<table>" in html and "<details>" in html  # the report's own structure still renders
    assert "click me" in visible_text(html)


def test_html_from_job_text_is_inert(sample_run):
    sample_run.files[0].findings[0].message = "image evil <img src=https://attacker.example/p.png>"
    out = MarkdownReporter().render(sample_run)
    assert "attacker.example" in out and "&lt;img" in out and "<img" not in out


def test_verdict_gives_errors_and_blocking_and_per_file_table(sample_run):
    out = MarkdownReporter().render(sample_run)
    assert out.startswith("## jobguard\n\n:x: **jobguard: 2 error(s)**; 2 blocking finding(s) "
                          "(fail-on `soft-mandatory`)")
    assert "| File | Blocking | Advisory | Overridden | Suppressed | Errors |" in out
    assert "| `jobs/web.nomad.hcl` | 2 | 1 | 0 | 1 | 0 |" in out
    assert "| `jobs/api:v2,new.nomad` | 0 | 0 | 1 | 0 | 0 |" in out
    assert "| `jobs/broken.nomad` | 0 | 0 | 0 | 0 | 1 |" in out


def test_blocking_details_and_folded_rest(sample_run):
    out = MarkdownReporter().render(sample_run)
    blocking = out[out.index("### Blocking"):out.index("<details>")]
    assert "`no-inline-secrets`" in blocking and "`jobs/web.nomad.hcl:12`" in blocking
    assert "restrict-images" not in blocking
    rest = out[out.index("<details>"):]
    assert "suppressed (legacy, see TICKET-1)" in rest
    assert "image redis has no tag second line" in rest


def test_passing_run(clean_run):
    out = MarkdownReporter().render(clean_run)
    assert ":white_check_mark: **jobguard: passed**" in out and "| File |" not in out


# --- the size cap -------------------------------------------------------------------------------------------------


def _big_run(tmp_path, files=400, per_file=12, message="é€𝄞 " * 40) -> RunResult:
    out = []
    for i in range(files):
        path = str(tmp_path / f"jobs/j{i:04d}.nomad")
        findings = [make_finding(file=path, job=f"j{i}", line=n + 1, message=f"{n}: {message}",
                                 enforcement_level=("hard-mandatory" if n % 3 == 0 else "advisory"))
                    for n in range(per_file)]
        out.append(FileResult(file=path, jobs=[f"j{i}"], findings=findings))
    return RunResult(files=out, root=str(tmp_path))


def test_a_large_report_is_capped_with_counts_and_a_pointer_to_the_artifacts(tmp_path):
    run = _big_run(tmp_path)
    uncapped = MarkdownReporter()
    uncapped.max_bytes = 10**9
    full = uncapped.render(run)
    assert len(full.encode()) > 1024 * 1024  # the run really is larger than GitHub's limit
    out = MarkdownReporter().render(run)
    size = len(out.encode("utf-8"))
    assert size <= 512 * 1024 and size > 400 * 1024  # byte-accurate with multi-byte text, and the room is used
    assert out.startswith("## jobguard\n\n:x: **jobguard: 1600 blocking finding(s)**")
    assert "400 file(s), 400 job(s); 1600 blocking, 3200 advisory" in out  # the counts always stay
    notes = re.findall(r"… and (\d+) more ([^\n]*?) not shown here", out)
    assert notes and "the SARIF and JSON reports list them all" in out
    shown_blocking = out.split("### Blocking", 1)[1].split("<details>")[0].count("| blocking |")
    assert shown_blocking > 0
    left = {what: int(n) for n, what in notes}
    assert shown_blocking + left.get("blocking finding(s)", 0) == 1600
    assert_report_inert(gfm(out))


def test_blocking_findings_come_before_the_rest_when_cut(tmp_path):
    run = _big_run(tmp_path, files=60, per_file=30)
    reporter = MarkdownReporter()
    reporter.max_bytes = 64 * 1024
    out = reporter.render(run)
    assert len(out.encode()) <= 64 * 1024
    assert out.split("### Blocking", 1)[1].count("| blocking |") > 20
    assert "more advisory, overridden or suppressed finding(s) not shown" in out


def test_truncate_utf8_never_splits_a_character():
    assert truncate_utf8("a€b", 2) == "a"
    assert truncate_utf8("a€b", 4) == "a€"
    assert truncate_utf8("𝄞𝄞", 5) == "𝄞"
    assert truncate_utf8("abc", 10) == "abc"
