"""Check mypy's output over examples/ against the errors the examples document.

Usage: expect_documented.py EXAMPLES_DIR MYPY_OUTPUT_FILE MYPY_EXIT_STATUS

Passes when mypy exited 1 and its errors are exactly the documented ones: each file in
examples/buggy carries one `# error: tnp-CODE` comment at the line of its mistake, and no other
file has an error. Standard library only: it runs outside the venv under test.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCUMENTED = re.compile(r"#\s*error:\s*(tnp-[a-z-]+)")
ERROR = re.compile(r"^(?P<path>[^:]+\.py):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


def documented(examples: Path) -> set[tuple[str, int, str]]:
    return {
        (path.as_posix(), number, match.group(1))
        for path in sorted(examples.rglob("*.py"))
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := DOCUMENTED.search(text))
    }


def reported(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for text in output.splitlines():
        if ": error: " in text:
            match = ERROR.match(text)
            if match is None:
                sys.exit(f"an error line without a code: {text}")
            found.add((Path(match["path"]).as_posix(), int(match["line"]), match["code"]))
    return found


def main() -> None:
    examples, output_file, status = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    output = output_file.read_text(encoding="utf-8")
    expected, actual = documented(examples), reported(output)
    buggy = {path for path, _, _ in expected}
    if len(buggy) != len(list((examples / "buggy").glob("*.py"))):
        sys.exit("every buggy example documents its error")
    problems = [f"missing: {e}" for e in sorted(expected - actual)]
    problems += [f"unexpected: {a}" for a in sorted(actual - expected)]
    if status != 1:
        problems.append(f"mypy exited {status}, expected 1")
    if problems:
        sys.exit("mypy as a user runs it:\n" + "\n".join(problems) + "\n--- output\n" + output)
    print(f"mypy as a user runs it: exit 1 with the {len(expected)} documented errors "
          f"in {len(buggy)} buggy examples, none elsewhere")


if __name__ == "__main__":
    main()
