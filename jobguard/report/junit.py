"""JUnit XML for CI systems that show test results (Jenkins, GitLab, Azure DevOps, CircleCI).

Valid against Jenkins' JUnit schema (xunit-plugin ``junit-10.xsd``): ``<testsuites>`` carries only ``name``,
``time``, ``tests``, ``failures`` and ``errors``; every ``<testsuite>`` its counts (``skipped`` included) and
``time``; every ``<testcase>`` a ``time``.

Layout:

* one ``<testsuite>`` per job file (``time`` = seconds spent loading and evaluating it, 0 when the cache answered;
  ``<testsuites time>`` is the whole run);
* a check (rule or policy) that passes on the file is one ``<testcase name="RULE">``; a check whose findings are all
  suppressed is that testcase ``<skipped>``; advisory and overridden findings leave it passing and are listed in its
  ``<system-out>`` so nothing is hidden;
* a check that fails is one ``<testcase>`` **per blocking finding**, each with exactly one ``<failure>`` (consumers
  such as Jenkins and GitLab read one failure per testcase): ``name`` is ``RULE (API path)`` (``RULE (job ID)`` for
  a finding on the whole job, numbered when two findings share a path), stable across runs because the API path is;
* a file that does not parse is one ``<testcase name="load">`` with an ``<error>``.

jobguard times files, not single checks, so a testcase's ``time`` is ``0``. Job text is XML-escaped, and characters
XML 1.0 cannot carry (control characters from a job) are written as ``\\xNN``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from jobguard.engine.findings import Finding
from jobguard.report.base import FileResult, Reporter, RunResult
from jobguard.report.locations import display_path

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text XML 1.0 can carry: characters it forbids (NUL, most C0 controls, lone surrogates) as ``\\xNN``."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", str(value))


def seconds(value: float) -> str:
    """A Surefire-style time: plain decimal seconds, three decimals."""
    return f"{max(value, 0.0):.3f}"


def _line(f: Finding, display: str) -> str:
    where = f"{display}:{f.line}:{f.column}" if f.line else display
    job = f' job "{f.job}"' if f.job else ""
    path = f" at {f.path_text}" if f.path else ""
    return xml_text(f"{where}: [{f.enforcement_level}] {f.message}{job}{path}")


class _Counts:
    def __init__(self) -> None:
        self.tests = self.failures = self.errors = self.skipped = 0

    def set_on(self, element: ET.Element, skipped: bool = True) -> None:
        element.set("tests", str(self.tests))
        element.set("failures", str(self.failures))
        element.set("errors", str(self.errors))
        if skipped:
            element.set("skipped", str(self.skipped))

    def add(self, other: _Counts) -> None:
        self.tests += other.tests
        self.failures += other.failures
        self.errors += other.errors
        self.skipped += other.skipped


class JunitReporter(Reporter):
    name = "junit"

    def render(self, results: RunResult) -> str:
        suites = ET.Element("testsuites", name="jobguard")
        totals = _Counts()
        if results.errors:
            suite = ET.SubElement(suites, "testsuite", name="jobguard")
            counts = _Counts()
            self._error_case(suite, "jobguard", [str(d) for d in results.errors], counts)
            counts.set_on(suite)
            suite.set("time", seconds(0))
            totals.add(counts)
        for fr in results.files:
            totals.add(self._suite(suites, fr, results))
        totals.set_on(suites, skipped=False)  # the schema has no skipped on <testsuites>
        suites.set("time", seconds(results.duration))
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

    def _suite(self, suites: ET.Element, fr: FileResult, results: RunResult) -> _Counts:
        display = xml_text(display_path(fr.file, results.root))
        suite = ET.SubElement(suites, "testsuite", name=display)
        counts = _Counts()
        if fr.errors:
            self._error_case(suite, display, [str(d) for d in fr.errors], counts)
        by_check: dict[str, list[Finding]] = defaultdict(list)
        for f in fr.findings:
            by_check[f.rule].append(f)
        names = sorted(set(by_check) | set(fr.checks))
        if not names and not fr.errors:
            names = ["jobguard"]  # a file with nothing to report is still one passing test
        for name in names:
            found = by_check.get(name, [])
            blocking = [f for f in found if results.status(f) == "blocking"]
            others = [f for f in found if results.status(f) != "blocking"]
            if blocking:
                first = self._failures(suite, name, display, blocking, counts)
            else:
                first = self._case(suite, name, display, counts)
                if found and all(f.suppressed for f in found):
                    counts.skipped += 1
                    reasons = sorted({str((f.suppression or {}).get("reason") or "suppressed") for f in found})
                    ET.SubElement(first, "skipped", message=xml_text("; ".join(reasons)))
            if others:
                out = ET.SubElement(first, "system-out")
                out.text = "\n".join(f"{results.status(f)}: {_line(f, display)}" for f in others)
        counts.set_on(suite)
        suite.set("time", seconds(fr.duration))
        suite.set("file", display)
        return counts

    def _failures(self, suite: ET.Element, rule: str, display: str, blocking: list[Finding],
                  counts: _Counts) -> ET.Element:
        """One testcase with one failure per blocking finding; returns the first testcase."""
        seen: dict[str, int] = {}
        cases = []
        for f in blocking:
            label = f.path_text or (f"job {f.job}" if f.job else "job")
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label += f" #{seen[label]}"
            case = self._case(suite, f"{rule} ({xml_text(label)})", display, counts)
            counts.failures += 1
            failure = ET.SubElement(case, "failure", type=f.enforcement_level, message=xml_text(f.message))
            failure.text = _line(f, display)
            cases.append(case)
        return cases[0]

    @staticmethod
    def _case(suite: ET.Element, name: str, classname: str, counts: _Counts) -> ET.Element:
        counts.tests += 1
        return ET.SubElement(suite, "testcase", name=xml_text(name), classname=classname, time=seconds(0))

    def _error_case(self, suite: ET.Element, classname: str, messages: list[str], counts: _Counts) -> None:
        case = self._case(suite, "load", classname, counts)
        counts.errors += 1
        error = ET.SubElement(case, "error", type="input-error", message=xml_text(messages[0]))
        error.text = xml_text("\n".join(messages))
