"""A check report as JUnit XML, the format CI dashboards read.

Each check is a testcase (classname `sparkify.<table>`). Only what makes `sparkify check` exit 1
is a <failure> or <error>: a failed warn-severity check passes with the warning in <system-out>,
so the dashboard and the exit code agree. When the checks cannot run at all (no warehouse, a
broken file, a malformed checks file), the report is one <error> testcase saying why, so the
dashboard shows the failure instead of last night's file or none. Text XML 1.0 cannot hold
(control characters from a description or a sample row) is written as a visible escape, so the
file always parses.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from sparkify_cli.documents import count
from sparkify_cli.services.outputs import write_output

if TYPE_CHECKING:
    from sparkify_cli.errors import SparkifyError
    from sparkify_cli.services.checks.run import CheckReport, CheckResult
    from sparkify_cli.settings import Settings

# What XML 1.0 forbids in a document (https://www.w3.org/TR/xml/#charsets): C0 controls but tab, LF and
# CR; lone surrogates; U+FFFE and U+FFFF. ElementTree writes them as they are, which no parser reads.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 forbids written as a visible escape (\\x1b, \\ud800)."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def junit_xml(report: CheckReport) -> str:
    failures = [r for r in report.failures if r.status == "fail"]
    errors = [r for r in report.failures if r.status == "error"]
    suites = ET.Element("testsuites", name="sparkify check")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"sparkify check ({report.warehouse}, schema {report.schema})",
        tests=str(len(report.results)),
        failures=str(len(failures)),
        errors=str(len(errors)),
        skipped="0",
        time=f"{sum(r.duration_s for r in report.results):.3f}",
        timestamp=report.checked_at.isoformat(timespec="seconds").replace("+00:00", ""),
    )
    for r in report.results:
        case = ET.SubElement(
            suite, "testcase", classname=f"sparkify.{r.table or 'custom'}", name=r.name, time=f"{r.duration_s:.3f}"
        )
        props = ET.SubElement(case, "properties")
        ET.SubElement(props, "property", name="severity", value=r.severity)
        ET.SubElement(props, "property", name="status", value=r.status)
        if any(r is f for f in failures):
            message = count(r.failing_rows or 0, "failing row") + (f": {r.description}" if r.description else "")
            ET.SubElement(case, "failure", type="fail", message=message).text = _details(r)
        elif any(r is e for e in errors):
            ET.SubElement(case, "error", type="error", message=r.error or "").text = r.sql
        elif r.status != "pass":
            what = count(r.failing_rows or 0, "failing row") if r.status == "warn" else f"could not run: {r.error}"
            ET.SubElement(case, "system-out").text = f"warning: {what}: {r.description}\n\n{_details(r)}"
    return _document(suites)


def junit_error_xml(error: str, kind: str, *, warehouse: str, schema: str, checked_at: datetime) -> str:
    """The report of checks that could not run: one testcase, `sparkify check`, with the error."""
    suites = ET.Element("testsuites", name="sparkify check")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"sparkify check ({warehouse}, schema {schema})",
        tests="1",
        failures="0",
        errors="1",
        skipped="0",
        time="0.000",
        timestamp=checked_at.isoformat(timespec="seconds").replace("+00:00", ""),
    )
    case = ET.SubElement(suite, "testcase", classname="sparkify", name="sparkify check", time="0.000")
    ET.SubElement(case, "error", type=kind, message=error).text = f"the checks could not run: {error}"
    return _document(suites)


def _document(suites: ET.Element) -> str:
    for element in suites.iter():
        element.text = xml_text(element.text) if element.text else element.text
        element.attrib = {key: xml_text(value) for key, value in element.attrib.items()}
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _details(r: CheckResult) -> str:
    samples = "\n".join(json.dumps(s, ensure_ascii=False) for s in r.samples)
    return f"{r.description}\nsample failing rows:\n{samples}\n\nSQL:\n{r.sql}"


def write_junit(report: CheckReport, path: Path, settings: Settings, *inputs: Path | None) -> None:
    """Write the report to `path` whole, never over the warehouse or a file the check reads (services/outputs.py)."""
    write_output(path, junit_xml(report), settings, *inputs)


def write_junit_error(error: SparkifyError, path: Path, settings: Settings, *inputs: Path | None) -> None:
    """The checks could not run: a report saying why, written the same careful way."""
    text = str(error).strip()
    xml = junit_error_xml(
        text.splitlines()[0] if text else type(error).__name__,
        type(error).__name__,
        warehouse=settings.warehouse,
        schema=settings.schema,
        checked_at=datetime.now(UTC),
    )
    write_output(path, xml, settings, *inputs)
