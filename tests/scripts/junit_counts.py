#!/usr/bin/env python
"""Print "PASSED FAILED" for a pytest JUnit XML report (errors count as failed, skips as neither)."""

from __future__ import annotations

import sys
from xml.etree import ElementTree


def counts(path: str) -> tuple[int, int]:
    """Add up every test suite in the report."""
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == 'testsuite' else root.iter('testsuite')
    passed = failed = 0
    for suite in suites:
        tests, failures, errors, skipped = (int(suite.get(name, 0)) for name in ('tests', 'failures', 'errors', 'skipped'))
        failed += failures + errors
        passed += tests - failures - errors - skipped
    return passed, failed


def main() -> int:
    """Command line entry point."""
    if len(sys.argv) != 2:
        sys.stderr.write('usage: junit_counts.py REPORT.xml\n')
        return 2
    print('%d %d' % counts(sys.argv[1]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
