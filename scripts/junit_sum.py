"""Adds up JUnit XML reports and prints 'N passed, N failed[, N skipped]'.

Exits non-zero when anything failed or a report is missing, so a suite that
did not run cannot look green."""
import sys
import xml.etree.ElementTree as ET


def main(paths):
    passed = failed = skipped = 0
    missing = []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            missing.append(path)
            continue
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for s in suites:
            tests = int(s.get("tests", 0))
            fail = int(s.get("failures", 0)) + int(s.get("errors", 0))
            skip = int(s.get("skipped", 0) or s.get("disabled", 0) or 0)
            passed += tests - fail - skip
            failed += fail
            skipped += skip
    for path in missing:
        print(f"missing report: {path}")
    failed += len(missing)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
