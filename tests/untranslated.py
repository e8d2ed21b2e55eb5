"""Interface text that does not go through translation, found without running a page.

Templates: every piece of literal text a person would read (text between tags, and the
attributes people read: title, alt, placeholder, aria-label, a button's value), outside
`{{ _() }}`, `{% trans %}` and every other expression, in the HTML pages and the mail
templates. Python: a literal message given to `flash`, to an error a service raises
(`DomainError` and its kinds), to a WTForms field as its label or description, to a validator
as its message, or as a choice's label.

Text that stays as it is on purpose sits in an element with `translate="no"` (a code, a file's
column names) or with its own `lang` (the language switch names each language in itself).

    python -m tests.untranslated [file or folder ...]

lists what it finds (everything under templates/ and incubator/ when given nothing);
tests/test_translation_coverage.py fails while anything is listed. The pseudo-locale page
test (tests/test_pseudo_locale.py) covers what only a running page shows.
"""

from __future__ import annotations

import ast
import bisect
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import jinja2
from jinja2 import nodes

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CODE = ROOT / "incubator"
# Operators read the command line's output, in English (see README "Languages").
NOT_INTERFACE = {CODE / "cli.py"}

# Where an expression stood in a template's text.
HOLE = "\x00"
LETTER = re.compile(r"[^\W\d_]")
# Names, the same in every language (docs/GLOSSARY.md).
NAMES = re.compile(r"Accelerate: LA|#techLA")

# The attributes a person reads or hears.
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
BUTTON_TYPES = {"submit", "button", "reset"}
SILENT_ELEMENTS = {"script", "style"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass(frozen=True, order=True)
class Untranslated:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def has_letters(text: str) -> bool:
    return bool(LETTER.search(NAMES.sub("", text.replace(HOLE, ""))))


class VisibleText(HTMLParser):
    """The text of an HTML document a person reads: text nodes and read attributes, with the
    offset each starts at, leaving out scripts, styles and whatever sits in an element marked
    translate="no" or with a `lang` of its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, silent)
        # (where, text, whether it is an attribute's value rather than text between tags)
        self.found: list[tuple[tuple[int, int], str, bool]] = []

    @property
    def silent(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        silent = (
            self.silent
            or tag in SILENT_ELEMENTS
            or values.get("translate") == "no"
            or ("lang" in values and tag != "html")
        )
        if not silent:
            for name in READ_ATTRIBUTES & values.keys():
                self.found.append((self.getpos(), values[name], True))
            if tag == "input" and values.get("type") in BUTTON_TYPES and "value" in values:
                self.found.append((self.getpos(), values["value"], True))
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, silent))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.open and self.open[-1][0] == tag:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.silent:
            self.found.append((self.getpos(), data, False))


def visible_text(html: str) -> list[tuple[tuple[int, int], str, bool]]:
    """Each piece of text a person reads on a page in document order: its (line, column),
    the text, and whether it is an attribute's value (else text between tags)."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.found


# Templates ------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    # Only parses, never renders.
    return jinja2.Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"], autoescape=True)


def skeleton(template: nodes.Node) -> tuple[str, list[tuple[int, int]]]:
    """The template's literal text in order with a HOLE for each expression, and where each
    piece of literal text starts in it: (offset, template line)."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    length = 0

    def walk(node: nodes.Node) -> None:
        nonlocal length
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    starts.append((length, child.lineno))
                    parts.append(child.data)
                    length += len(child.data)
                else:
                    parts.append(HOLE)
                    length += 1
            return
        if isinstance(node, nodes.Expr):
            return
        if isinstance(node, nodes.Block):  # a block's text is a piece of its own
            parts.append(HOLE)
            length += 1
        for child in node.iter_child_nodes():
            walk(child)

    walk(template)
    return "".join(parts), starts


def _line_of(offset: int, starts: list[tuple[int, int]], text: str) -> int:
    index = bisect.bisect_right([start for start, _line in starts], offset) - 1
    if index < 0:
        return 1
    start, line = starts[index]
    return line + text.count("\n", start, offset)


def _shown(text: str) -> str:
    """A piece of a template's text as listed: one line, expressions as "…"."""
    return " ".join(text.strip(HOLE + " \n\t").replace(HOLE, "…").split())


def template_problems(path: Path) -> list[Untranslated]:
    source = path.read_text(encoding="utf-8")
    tree = _environment().parse(source)
    text, starts = skeleton(tree)
    name = str(path.relative_to(ROOT))
    if path.suffix != ".html":
        return [
            Untranslated(
                name,
                _line_of(match.start(), starts, text),
                _shown(match.group()),
            )
            for match in re.finditer(r"[^\n]+", text)
            if has_letters(match.group())
        ]
    line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
    return [
        Untranslated(
            name,
            _line_of(line_starts[line - 1] + column, starts, text),
            _shown(piece),
        )
        for (line, column), piece, _attribute in visible_text(text)
        if has_letters(piece)
    ]


# Python ---------------------------------------------------------------------------------------

VALIDATORS = {
    "DataRequired", "InputRequired", "Optional", "Length", "NumberRange", "Email", "EqualTo",
    "Regexp", "URL", "AnyOf", "NoneOf", "UUID", "MacAddress", "IPAddress", "FileRequired",
    "FileAllowed", "FileSize", "ValidationError", "StopValidation",
}  # fmt: skip


def _called(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


def _literal_text(node: ast.expr | None) -> str | None:
    """The text of a literal a person would read: a string, an f-string or a sum of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if has_letters(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(
            part.value if isinstance(part, ast.Constant) else HOLE for part in node.values
        )
        return text if has_letters(text) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _literal_text(node.left) or _literal_text(node.right)
    return None


def domain_errors() -> set[str]:
    """The names of the errors services raise with a message for the person."""
    from incubator.services.errors import DomainError

    names, waiting = set(), [DomainError]
    while waiting:
        kind = waiting.pop()
        names.add(kind.__name__)
        waiting += kind.__subclasses__()
    return names


def _messages(call: ast.Call, errors: set[str]) -> Iterator[ast.expr | None]:
    """The arguments of a call that a person reads, if it is a call that shows one."""
    name = _called(call)
    first = call.args[0] if call.args else None
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    if name == "flash" or name in errors:
        yield first
        yield keywords.get("message")
    elif name.endswith("Field"):
        yield first
        yield keywords.get("label")
        yield keywords.get("description")
        choices = keywords.get("choices")
        if isinstance(choices, (ast.List, ast.Tuple)):
            for choice in choices.elts:
                if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                    yield choice.elts[1]
    elif name in VALIDATORS:
        yield keywords.get("message")
        if name in ("ValidationError", "StopValidation"):
            yield first


def python_problems(path: Path, errors: set[str]) -> list[Untranslated]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = str(path.relative_to(ROOT))
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for argument in _messages(node, errors):
            text = _literal_text(argument)
            if text is not None and argument is not None:
                problems.append(Untranslated(name, argument.lineno, text.replace(HOLE, "…")))
    return problems


# Both -----------------------------------------------------------------------------------------


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        path = path.resolve()
        if path.is_dir():
            yield from sorted(
                file
                for file in path.rglob("*")
                if file.suffix in (".html", ".txt", ".py") and "__pycache__" not in file.parts
            )
        else:
            yield path


def problems(paths: Iterable[Path] = (TEMPLATES, CODE)) -> list[Untranslated]:
    """Every untranslated text in these files and folders, in file and line order."""
    errors = domain_errors()
    found: list[Untranslated] = []
    for path in _files(paths):
        if path in NOT_INTERFACE:
            continue
        if path.suffix == ".py" and path.is_relative_to(CODE):
            found += python_problems(path, errors)
        elif path.suffix in (".html", ".txt") and path.is_relative_to(TEMPLATES):
            found += template_problems(path)
    return sorted(found)


def main(arguments: list[str]) -> int:
    found = problems([Path(argument) for argument in arguments] or [TEMPLATES, CODE])
    for problem in found:
        print(problem)
    print(f"{len(found)} untranslated", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
