"""The layers hold: algorithms import no Flask and no database, models import no service,
services import no blueprint and no request helper.

Read from the source with `ast`, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "incubator"

# Pure modules: plain values in, plain values out; the database modules around them load
# the facts and save the results.
ALGORITHMS = [
    "incubator/services/mentoring/planner.py",
    "incubator/services/matching/scoring.py",
    "incubator/services/matching/assignment.py",
    "incubator/services/hackathons/devpost_csv.py",
    "incubator/services/inclusion/suppression.py",
    "incubator/services/pipeline/risk_rules.py",
    "incubator/services/scorecard/cityscore.py",
    "incubator/services/scorecard/drawing.py",
    "incubator/services/scorecard/geography.py",
    "incubator/services/scorecard/names.py",
    "incubator/services/scorecard/periods.py",
]
DATABASE_OR_WEB = (
    "flask",
    "flask_login",
    "flask_wtf",
    "flask_sqlalchemy",
    "sqlalchemy",
    "werkzeug",
)
DATABASE_MODULES = ("incubator.extensions", "incubator.models", "incubator.web")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def starts_with_any(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


@pytest.mark.parametrize("module", ALGORITHMS)
def test_an_algorithm_imports_no_flask_and_no_database(module):
    names = imported(ROOT / module)
    forbidden = sorted(
        name
        for name in names
        if starts_with_any(name, DATABASE_OR_WEB) or starts_with_any(name, DATABASE_MODULES)
    )
    assert forbidden == [], f"{module} imports {forbidden}"
    pure = {module.removesuffix(".py").replace("/", ".") for module in ALGORITHMS}
    allowed = ("incubator.clock", "incubator.vocabulary", *pure)
    services = sorted(
        name
        for name in names
        if name.startswith("incubator.") and not starts_with_any(name, allowed)
    )
    assert services == [], f"{module} imports {services}"


def modules_under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules_under("models"), ids=str)
def test_a_model_imports_no_service_and_no_blueprint(path):
    names = imported(path)
    wrong = sorted(
        n for n in names if starts_with_any(n, ("incubator.services", "incubator.blueprints"))
    )
    assert wrong == []


@pytest.mark.parametrize("path", modules_under("services"), ids=str)
def test_a_service_imports_no_blueprint_and_no_request(path):
    names = imported(path)
    wrong = sorted(
        n
        for n in names
        if starts_with_any(n, ("incubator.blueprints", "incubator.web", "flask_login", "flask_wtf"))
        or n in ("flask.request", "flask.session", "flask.flash", "flask.g")
    )
    assert wrong == []
