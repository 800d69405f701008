"""The live table's change detection, the metrics exposition, the change-log file, the location URIs and the
terminal pieces of ``--watch`` (change lines, the redrawn table), without a cluster."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from jobguard.audit.changelog import ChangeLog
from jobguard.audit.client import StreamDropped, _ndjson
from jobguard.audit.console import change_line
from jobguard.audit.location import api_path, job_uri
from jobguard.audit.metrics import AuditMetrics
from jobguard.audit.table import Entry, ViolationTable
from jobguard.engine.findings import Finding
from jobguard.report.base import FileResult


def finding(rule: str, level: str = "hard-mandatory", path: str = "Meta", suppressed: bool = False) -> Finding:
    return Finding(rule=rule, kind="rule", enforcement_level=level, severity="high", message=f"{rule} failed",
                   file="nomad://x/v1/job/web?namespace=default", job="default/web", path=path,
                   suppressed=suppressed)


def entry(*findings: Finding, version: int = 1, errors: list | None = None) -> Entry:
    return Entry(FileResult(file="nomad://x", jobs=["default/web"], findings=list(findings), errors=errors or []),
                 modify_index=version * 10, version=version)


KEY = ("default", "web")


def test_changes_are_about_active_findings():
    table = ViolationTable()
    assert table.update(KEY, entry()) is None  # a new clean job: nothing to report
    change = table.update(KEY, entry(finding("no-raw-exec"), finding("readonly-rootfs", "advisory"), version=2))
    assert (change.status, change.blocking, change.advisory, change.version) == ("violating", 1, 1, 2)
    assert [a["check"] for a in change.added] == ["no-raw-exec", "readonly-rootfs"] and change.resolved == []
    same = entry(finding("no-raw-exec"), finding("readonly-rootfs", "advisory"), finding("x", suppressed=True),
                 version=3)
    assert table.update(KEY, same) is None  # a new version with the same problems (and a suppressed one)
    change = table.update(KEY, entry(finding("readonly-rootfs", "advisory"), version=4))
    assert [r["check"] for r in change.resolved] == ["no-raw-exec"] and change.status == "violating"
    change = table.update(KEY, None)
    assert (change.status, change.version, [r["check"] for r in change.resolved]) == ("removed", 4,
                                                                                      ["readonly-rootfs"])
    assert table.update(KEY, None) is None


def test_a_level_change_is_a_change_and_errors_are_reported():
    table = ViolationTable()
    table.update(KEY, entry(finding("no-latest-tag", "advisory")))
    change = table.update(KEY, entry(finding("no-latest-tag", "soft-mandatory")))
    assert change.added[0]["level"] == "soft-mandatory" and change.resolved[0]["level"] == "advisory"
    assert table.update(KEY, entry(errors=["broken"])).status == "error"


def test_record_and_change_line():
    table = ViolationTable()
    change = table.update(KEY, entry(finding("no-raw-exec"), version=5))
    record = change.record("event", "JobRegistered", 42)
    assert (record["cause"], record["event"], record["index"], record["namespace"], record["job"]) == (
        "event", "JobRegistered", 42, "default", "web")
    assert record["time"].endswith("Z") and record["added"][0]["path"] == "Meta"
    assert change_line(change) == "default/web v5: violating, 1 blocking, 0 advisory (+no-raw-exec)"


def test_render_puts_blocking_jobs_first():
    table = ViolationTable()
    table.update(("default", "calm"), entry(finding("readonly-rootfs", "advisory")))
    table.update(("ops", "bad"), entry(finding("no-raw-exec"), finding("no-privileged-containers")))
    table.update(("default", "clean"), entry())
    lines = table.render("HEADER").splitlines()
    assert lines[0] == "HEADER" and lines[2].split() == ["JOB", "VERSION", "BLOCKING", "ADVISORY", "CHECKS"]
    assert lines[3].split()[:4] == ["ops/bad", "1", "2", "0"] and lines[4].startswith("default/calm")
    assert len(lines) == 5  # the clean job is not listed
    assert ViolationTable().render("H").splitlines()[-1] == "(no findings)"


def test_metrics_exposition():
    metrics = AuditMetrics()
    metrics.job("default", 'we"ird', [finding("no-raw-exec"), finding("no-raw-exec", path="x"),
                                      finding("readonly-rootfs", "advisory"), finding("s", suppressed=True)],
                blocking=True)
    metrics.count("events", "JobRegistered")
    metrics.stream(True)
    text = metrics.render()
    assert 'jobguard_audit_violations{namespace="default",job="we\\"ird",check="no-raw-exec",' \
           'level="hard-mandatory"} 2' in text
    assert 'check="s"' not in text  # suppressed findings are not violations
    assert 'jobguard_audit_jobs{state="blocking"} 1' in text and "jobguard_audit_stream_connected 1" in text
    assert "# TYPE jobguard_audit_violations gauge" in text
    assert 'jobguard_audit_events_total{type="JobRegistered"} 1' in text
    metrics.job("default", 'we"ird', None)
    assert "jobguard_audit_violations{" not in metrics.render()


def test_change_log_appends_json_lines(tmp_path):
    path = tmp_path / "logs" / "changes.jsonl"
    for n in range(2):
        log = ChangeLog(str(path))
        log.write({"n": n, "job": "web"})
        log.close()
    assert [json.loads(line)["n"] for line in path.read_text().splitlines()] == [0, 1]


def test_location_uris_escape_ids():
    assert api_path("a b/c", "team-a") == "/v1/job/a%20b%2Fc?namespace=team-a"
    assert job_uri("nomad.example:4646", "web", "default", 3, "eu") == \
        "nomad://nomad.example:4646/v1/job/web?namespace=default&region=eu#version=3"


class _Content:
    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def iter_any(self):
        for chunk in self.chunks:
            yield chunk


def collect(*chunks: bytes) -> list[dict]:
    async def main() -> list[dict]:
        return [m async for m in _ndjson(_Content(*chunks))]
    return asyncio.run(main())


def test_ndjson_lines_split_across_chunks():
    assert collect(b'{"Index": 1, "Ev', b'ents": []}\n{}\n', b"\n{}\n") == [{"Index": 1, "Events": []}, {}, {}]


@pytest.mark.parametrize("chunks, message", [
    ((b'{"Index": 1}\n{"Ind',), "ended in the middle of a message"),
    ((b"[1, 2]\n",), "sent list, not an object"),
    ((b"\xff\xfe\n",), "not JSON"),
])
def test_ndjson_broken_streams(chunks, message):
    with pytest.raises(StreamDropped, match=message):
        collect(*chunks)


def test_display_writes_one_line_per_change():
    from jobguard.audit.console import Display

    stream = io.StringIO()
    table = ViolationTable()
    display = Display(watcher=None, stream=stream, live=False)  # type: ignore[arg-type]
    display(table.update(KEY, entry(finding("no-raw-exec"))))
    display(None)
    assert stream.getvalue() == "default/web v1: violating, 1 blocking, 0 advisory (+no-raw-exec)\n"


def test_watched_reports_are_replaced_atomically(tmp_path, monkeypatch):
    """A reader of a report --watch rewrites sees the old or the new one, never a half-written file."""
    import os

    from jobguard.audit.console import replace_file

    report = tmp_path / "audit.json"
    report.write_text("old", encoding="utf-8")
    seen = []
    real_replace = os.replace

    def watching_replace(src, dst):
        seen.append(report.read_text(encoding="utf-8"))  # just before the swap: still the whole old report
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching_replace)
    replace_file(str(report), "new report")
    assert seen == ["old"]
    assert report.read_text(encoding="utf-8") == "new report"
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]  # no temporary file left behind
