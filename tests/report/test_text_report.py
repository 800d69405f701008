import re

from jobguard.report.text import TextReporter

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_grouped_by_file_as_named(sample_run):
    out = TextReporter().render(sample_run)
    assert sample_run.files[0].file + "\n" in out
    assert out.index("jobs/web.nomad.hcl") < out.index("jobs/api:v2,new.nomad") < out.index("jobs/broken.nomad")


def test_offending_line_with_caret_under_the_column(sample_run):
    lines = TextReporter().render(sample_run).splitlines()
    i = next(n for n, line in enumerate(lines) if line.endswith('DB_PASSWORD = "****"'))
    source, caret = lines[i], lines[i + 1]
    assert source.startswith("    12 | ")
    gutter = source.index("| ") + 2
    assert caret.index("^") == gutter + 9 - 1


def test_findings_sorted_by_line_and_labelled(sample_run):
    out = TextReporter().render(sample_run)
    web = out[out.index("jobs/web.nomad.hcl"):out.index("jobs/api")]
    labels = re.findall(r"^  (FAIL|WARN|SUPPRESSED|OVERRIDDEN) (\d+):", web, re.MULTILINE)
    assert labels == [("WARN", "1"), ("SUPPRESSED", "5"), ("FAIL", "8"), ("FAIL", "12")]
    assert "suppressed by comment: legacy, see TICKET-1" in web
    assert "OVERRIDDEN 3:7" in out and "let through by --policy-override" in out


def test_rule_hint_only_for_rules(sample_run):
    out = TextReporter().render(sample_run)
    assert "hint: run `jobguard rules no-inline-secrets`" in out
    assert "jobguard rules restrict-images" not in out


def test_parse_errors_and_summary_table(sample_run):
    out = TextReporter().render(sample_run)
    assert re.search(r"ERROR \S*/jobs/\S+:4:3: Unclosed configuration block; There is no closing brace for this block",
                     out)
    assert "ERROR missing/: no such file or directory" in out
    assert re.search(r"^  blocking\s+2$", out, re.MULTILINE)
    assert re.search(r"^  suppressed\s+1$", out, re.MULTILINE)
    assert re.search(r"^  errors\s+2$", out, re.MULTILINE)
    assert "Summary: 3 file(s), 2 job(s) checked" in out
    assert out.rstrip().endswith("ERROR: 2 error(s) in the input; 2 blocking finding(s) (fail-on soft-mandatory)")


def test_colour_only_when_asked(sample_run):
    plain = TextReporter(color=False).render(sample_run)
    coloured = TextReporter(color=True).render(sample_run)
    assert "\x1b[" not in plain
    assert "\x1b[31mFAIL\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_quiet_shows_only_blocking_and_no_summary(sample_run):
    out = TextReporter(quiet=True).render(sample_run)
    assert "FAIL" in out and "WARN" not in out and "SUPPRESSED" not in out and "Summary" not in out
    assert "Unclosed configuration block" in out


def test_clean_run_passes(clean_run):
    out = TextReporter().render(clean_run)
    assert out.rstrip().endswith("PASSED (fail-on soft-mandatory)")
    assert TextReporter(quiet=True).render(clean_run) == ""


def test_findings_in_another_file_name_it_and_show_no_line(sample_run):
    web = sample_run.files[0]
    web.findings[0].file = "prod.vars"
    out = TextReporter().render(sample_run)
    assert "FAIL prod.vars:12:9 no-inline-secrets" in out
    assert 'DB_PASSWORD = "****"' not in out


def test_control_characters_from_the_job_are_shown_not_executed(sample_run):
    sample_run.files[0].findings[0].message = "image \x1b[2Jevil\rhidden"
    sample_run.files[0].lines[12] = 'image = "\x1b]0;title\x07"'
    out = TextReporter(color=False).render(sample_run)
    assert "\x1b" not in out and "\r" not in out
    assert "image \\x1b[2Jevil\\x0dhidden" in out and "\\x07" in out
