from jobguard.report.markdown import MarkdownReporter, cell


def test_cells_are_escaped():
    assert cell("a|b\nc") == "a\\|b c"
    assert cell('x <img src="y"> & z') == 'x &lt;img src="y"&gt; &amp; z'


def test_html_from_job_text_is_inert(sample_run):
    sample_run.files[0].findings[0].message = "image evil <img src=https://attacker.example/p.png>"
    out = MarkdownReporter().render(sample_run)
    assert "attacker.example" in out and "<img" not in out


def test_verdict_and_per_file_table(sample_run):
    out = MarkdownReporter().render(sample_run)
    assert out.startswith("## jobguard\n\n:x: **jobguard: 2 error(s)**")
    assert "| File | Blocking | Advisory | Overridden | Suppressed | Errors |" in out
    assert "| jobs/web.nomad.hcl | 2 | 1 | 0 | 1 | 0 |" in out
    assert "| jobs/api:v2,new.nomad | 0 | 0 | 1 | 0 | 0 |" in out
    assert "| jobs/broken.nomad | 0 | 0 | 0 | 0 | 1 |" in out


def test_blocking_details_and_folded_rest(sample_run):
    out = MarkdownReporter().render(sample_run)
    blocking = out[out.index("### Blocking"):out.index("<details>")]
    assert "`no-inline-secrets`" in blocking and "jobs/web.nomad.hcl:12" in blocking
    assert "restrict-images" not in blocking
    rest = out[out.index("<details>"):]
    assert "suppressed (legacy, see TICKET-1)" in rest
    assert "image redis has no tag second line" in rest


def test_passing_run(clean_run):
    out = MarkdownReporter().render(clean_run)
    assert ":white_check_mark: **jobguard: passed**" in out and "| File |" not in out
