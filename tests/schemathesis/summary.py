"""One line per schemathesis run: operations tested, failed and errored
(from its JUnit report, one test case per operation) and the test cases
generated (from its log's summary)."""

import re
import sys
import xml.etree.ElementTree as ET

report, log, doc, role, rc = sys.argv[1:6]
try:
    root = ET.parse(report).getroot()
except (OSError, ET.ParseError):
    print(f"{doc:<8} {role:<10} no report (exit {rc})")
    sys.exit(0)
ops = failed = errored = 0
for case in root.iter("testcase"):
    ops += 1
    failed += case.find("failure") is not None
    errored += case.find("error") is not None
try:
    text = open(log, encoding="utf-8", errors="replace").read()
    cases = re.search(r"Test cases:\s*\n\s*(.+)", text).group(1).strip()
except (OSError, AttributeError):
    cases = "?"
print(
    f"{doc:<8} {role:<10} operations {ops:>3}  failed {failed:>3}  "
    f"errored {errored:>3}  exit {rc}  cases: {cases}"
)
