"""JUnit XML for CI systems that show test results (Jenkins, GitLab, Azure DevOps, CircleCI).

One ``<testsuite>`` per job file, one ``<testcase>`` per check (rule or policy) on that file. A check with a
blocking finding is a ``<failure>``; a check whose findings are all suppressed is ``<skipped>``; advisory and
overridden findings leave the test passing and are listed in ``<system-out>`` so nothing is hidden. A file that
does not parse is one ``<testcase name="load">`` with an ``<error>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from jobguard.engine.findings import Finding
from jobguard.report.base import FileResult, Reporter, RunResult
from jobguard.report.locations import display_path


def _line(f: Finding, display: str) -> str:
    where = f"{display}:{f.line}:{f.column}" if f.line else display
    job = f' job "{f.job}"' if f.job else ""
    path = f" at {f.path}" if f.path else ""
    return f"{where}: [{f.enforcement_level}] {f.message}{job}{path}"


class JunitReporter(Reporter):
    name = "junit"
    extension = "xml"

    def render(self, results: RunResult) -> str:
        suites = ET.Element("testsuites", name="jobguard")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if results.errors:
            suite = ET.SubElement(suites, "testsuite", name="jobguard")
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            self._error_cases(suite, "jobguard", [str(d) for d in results.errors], counts)
            self._close(suite, counts, totals)
        for fr in results.files:
            self._suite(suites, fr, results, totals)
        for key, value in totals.items():
            suites.set(key, str(value))
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

    def _suite(self, suites: ET.Element, fr: FileResult, results: RunResult, totals: dict[str, int]) -> None:
        display = display_path(fr.file, results.root)
        suite = ET.SubElement(suites, "testsuite", name=display)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if fr.errors:
            self._error_cases(suite, display, [str(d) for d in fr.errors], counts)
        by_check: dict[str, list[Finding]] = defaultdict(list)
        for f in fr.findings:
            by_check[f.rule].append(f)
        names = sorted(set(by_check) | set(fr.checks))
        if not names and not fr.errors:
            names = ["jobguard"]  # a file with nothing to report is still one passing test
        for name in names:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", name=name, classname=display)
            found = by_check.get(name, [])
            blocking = [f for f in found if results.status(f) == "blocking"]
            others = [f for f in found if results.status(f) != "blocking"]
            if blocking:
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", type=blocking[0].enforcement_level,
                                        message=blocking[0].message)
                failure.text = "\n".join(_line(f, display) for f in blocking)
            elif found and all(f.suppressed for f in found):
                counts["skipped"] += 1
                reasons = sorted({str((f.suppression or {}).get("reason") or "suppressed") for f in found})
                ET.SubElement(case, "skipped", message="; ".join(reasons))
            if others:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(f"{results.status(f)}: {_line(f, display)}" for f in others)
        self._close(suite, counts, totals)

    @staticmethod
    def _close(suite: ET.Element, counts: dict[str, int], totals: dict[str, int]) -> None:
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value

    @staticmethod
    def _error_cases(suite: ET.Element, classname: str, messages: list[str], counts: dict[str, int]) -> None:
        counts["tests"] += 1
        counts["errors"] += 1
        case = ET.SubElement(suite, "testcase", name="load", classname=classname)
        error = ET.SubElement(case, "error", type="input-error", message=messages[0])
        error.text = "\n".join(messages)
