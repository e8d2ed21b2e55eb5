"""Every test can fail: it asserts, expects an exception, or hands its checks to a helper
that asserts (a race harness, a `check_…`/`assert_…`/`expect_…` function).

Read from the source with `ast`; a test that only calls code and checks nothing passes
whatever the code does, so this refuses it by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CHECKING_CALLS = ("assert", "check", "expect", "raises", "race", "rounds", "warns")


def checks_something(test: ast.FunctionDef) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            called = ast.unparse(node.func).lower()
            if any(word in called for word in CHECKING_CALLS):
                return True
    return False


def test_every_test_checks_something():
    silent = [
        f"{path.name}:{node.lineno} {node.name}"
        for path in sorted(TESTS.glob("test_*.py"))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef)
        and node.name.startswith("test")
        and not checks_something(node)
    ]
    assert silent == [], "tests that check nothing:\n" + "\n".join(silent)
