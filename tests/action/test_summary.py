"""The job summary the action appends: capped below GitHub's 1 MiB step-summary limit."""

from __future__ import annotations


def test_the_step_summary_never_exceeds_githubs_limit(tmp_path):
    from jobguard.action.__main__ import SUMMARY_LIMIT, append_summary

    summary = tmp_path / "summary.md"
    row = "| `jobs/é.nomad` | 1 | 0 | 0 | 0 | 0 | 𝄞 |\n"
    append_summary(str(summary), "## jobguard\n\n" + row * 40_000)  # ~1.7 MB of multi-byte rows
    data = summary.read_bytes()
    assert len(data) <= SUMMARY_LIMIT < 1024 * 1024
    text = data.decode("utf-8")  # cut on a character boundary
    assert text.endswith("the SARIF report lists every finding._\n")
    assert all(line == row.rstrip("\n") for line in text.split("\n\n_The summary")[0].splitlines()[2:])
