"""Every test can fail: it asserts, expects an exception, or calls a helper that does (a
function of the test suite that asserts, a race harness, a `check_…`/`expect_…` method).

Read from the source with `ast`; a test that only calls code and checks nothing passes
whatever the code does, so this refuses it by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CHECKING_CALLS = ("assert", "check", "expect", "raises", "race", "rounds", "warns")


def called_name(call: ast.Call) -> str:
    """The last part of what a call calls: `helpers.reloaded(x)` is `reloaded`."""
    return ast.unparse(call.func).rsplit(".", 1)[-1]


def checks_directly(function: ast.FunctionDef, checking: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = called_name(node)
            if name in checking or any(word in name.lower() for word in CHECKING_CALLS):
                return True
    return False


def suite_functions() -> list[tuple[Path, ast.FunctionDef]]:
    paths = [
        *sorted(TESTS.glob("*.py")),
        *sorted((TESTS / "plugins").glob("*.py")),
        *sorted((TESTS / "browser").glob("*.py")),
    ]
    return [
        (path, node)
        for path in paths
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef)
    ]


def checking_helpers(functions: list[tuple[Path, ast.FunctionDef]]) -> set[str]:
    """Names of the suite's functions that assert, directly or through one another."""
    checking: set[str] = set()
    while True:
        found = {
            node.name
            for _, node in functions
            if not node.name.startswith("test") and checks_directly(node, checking)
        }
        if found <= checking:
            return checking
        checking |= found


def test_every_test_checks_something():
    functions = suite_functions()
    checking = checking_helpers(functions)
    silent = [
        f"{path.name}:{node.lineno} {node.name}"
        for path, node in functions
        if path.name.startswith("test_")
        and node.name.startswith("test")
        and not checks_directly(node, checking)
    ]
    assert silent == [], "tests that check nothing:\n" + "\n".join(silent)
