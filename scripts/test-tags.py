#!/usr/bin/env python3
"""Prints a `swift test --skip` regular expression matching every test that carries one of the given Swift Testing
tags (`.tags(.sshd, ...)` on a `@Suite` or a `@Test` under Tests/), for `scripts/test.sh --fast`.

swift test 6.3 filters by name only, so the tags in the sources are turned into names here.
Usage: scripts/test-tags.py TAG...
"""
import pathlib
import re
import sys

wanted = set(sys.argv[1:])
root = pathlib.Path(__file__).resolve().parent.parent / "Tests"
attribute = re.compile(r"@(Suite|Test)\b")
declaration = re.compile(r"\b(?:struct|final class|class|enum|actor)\s+(\w+)|\bfunc\s+(\w+)\s*\(")
patterns = []
for path in sorted(root.glob("*/**/*.swift")):
    module = path.relative_to(root).parts[0]
    text = path.read_text(encoding="utf-8")
    suite = None
    pending = None  # (kind, tags) of the attribute waiting for its declaration
    for match in re.finditer(r"@(?:Suite|Test)\b(?:\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))?|" + declaration.pattern,
                             text):
        token = match.group(0)
        if token.startswith("@"):
            kind = "suite" if token.startswith("@Suite") else "test"
            tags = set(re.findall(r"\.(\w+)", " ".join(re.findall(r"\.tags\(([^()]*)\)", token))))
            pending = (kind, tags)
            continue
        name = match.group(1) or match.group(2)
        if match.group(1):
            if pending and pending[0] == "suite":
                suite = name
                if pending[1] & wanted:
                    patterns.append(rf"{module}\.{name}/")
            pending = None if pending and pending[0] == "suite" else pending
        elif pending and pending[0] == "test":
            if pending[1] & wanted and suite:
                patterns.append(rf"{module}\.{suite}/{name}\(")
            pending = None
print("|".join(patterns) if patterns else "^$")
