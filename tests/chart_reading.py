"""Reading the app's SVG charts as a person would see them: how large their text is where
they are shown, their series and their legends, and the tables beside them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"
SMALLEST_TEXT = 11  # CSS px, at any width

# How wide the page's content is on a phone: a 390 px phone (an iPhone 12 to 15) and a
# 320 px screen (WCAG's reflow width), less the page's margins of 16 px on each side.
CONTENT_WIDTHS = {"390 px phone": 358, "320 px screen": 288}

FONT_SIZE_DECLARATION = re.compile(r"font-size\s*:\s*([0-9.]+)\s*([a-z%]*)", re.IGNORECASE)


def svg_root(document: bytes | str) -> ET.Element:
    root = ET.fromstring(document)  # noqa: S314 (the app's own output)
    assert root.tag == f"{SVG}svg"
    return root


def view_width(root: ET.Element) -> float:
    """The width of the drawing in its own units: the viewBox's, else the width's."""
    box = root.get("viewBox")
    if box:
        return float(box.split()[2])
    return float(root.get("width", "0").removesuffix("px"))


def _px(number: str, unit: str) -> float:
    assert unit in ("", "px"), f"a font size in {unit!r} cannot be checked: state it in px"
    return float(number)


def stated_font_sizes(root: ET.Element) -> list[float]:
    """Every font size the document states, in its own units: in its style sheets, its
    font-size attributes and its style attributes. A relative size fails the test."""
    sizes = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == f"{SVG}style" and element.text:
            sizes += [_px(*found) for found in FONT_SIZE_DECLARATION.findall(element.text)]
        if element.get("font-size"):
            match = re.fullmatch(r"([0-9.]+)\s*([a-z%]*)", element.get("font-size", ""))
            assert match, element.get("font-size")
            sizes.append(_px(*match.groups()))
        sizes += [_px(*found) for found in FONT_SIZE_DECLARATION.findall(element.get("style", ""))]
    return sizes


def has_text(root: ET.Element) -> bool:
    texts = [*root.iter(f"{SVG}text"), *root.iter(f"{SVG}tspan")]
    return any((element.text or "").strip() for element in texts)


def smallest_text_shown(root: ET.Element, shown_width: float) -> float | None:
    """The smallest text of the chart in CSS px when it is shown `shown_width` px wide (an
    SVG's text scales with its box); None when it draws no text. Text without a stated size
    is the browser's 16 px."""
    if not has_text(root):
        return None
    sizes = stated_font_sizes(root) or [16.0]
    return min(sizes) * shown_width / view_width(root)


def shown_width(img_width: float, content_width: float, padding: float) -> float:
    """How wide an image is shown: its width attribute, unless its box (the page's content
    less the padding and borders around the image) is narrower (img-fluid)."""
    return min(img_width, content_width - padding)


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images(html: str) -> list[dict[str, str | None]]:
    """The page's <img> elements, as their attributes."""
    parser = _Images()
    parser.feed(html)
    return parser.images


class _Tables(HTMLParser):
    """Each table's rows, as the text of their cells; a table inside a cell is a table of
    its own."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._open: list[dict] = []  # the tables open here, innermost last, with their cell

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"attrs": dict(attrs), "rows": []})
            self._open.append({"table": self.tables[-1], "cell": None})
        elif tag == "tr" and self._open:
            self._open[-1]["table"]["rows"].append([])
        elif tag in ("td", "th") and self._open:
            self._open[-1]["cell"] = []

    def handle_endtag(self, tag):
        if not self._open:
            return
        innermost = self._open[-1]
        if tag in ("td", "th") and innermost["cell"] is not None:
            innermost["table"]["rows"][-1].append(" ".join("".join(innermost["cell"]).split()))
            innermost["cell"] = None
        elif tag == "table":
            self._open.pop()

    def handle_data(self, data):
        if self._open and self._open[-1]["cell"] is not None:
            self._open[-1]["cell"].append(data)


def tables(html: str) -> list[dict]:
    """The page's tables: {"attrs": the table's attributes, "rows": [[cell text, ...], ...]}."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def series_points(root: ET.Element) -> list[list[tuple[str, str]]]:
    """What pygal drew, series by series: each point's x label and value as written in
    the document (what its tooltip would say), in order."""
    drawn = []
    for series in root.iter(f"{SVG}g"):
        classes = (series.get("class") or "").split()
        if "series" not in classes:
            continue
        points = []
        for point in series.iter():
            descriptions = {
                (d.get("class") or ""): (d.text or "") for d in point.findall(f"{SVG}desc")
            }
            if "value" in descriptions:
                points.append((descriptions.get("x_label", ""), descriptions["value"]))
        if points:
            drawn.append(points)
    return drawn


def legends(root: ET.Element) -> list[tuple[str, float, float]]:
    """The legend's entries: their text and where the text starts (x, y), in the drawing's
    own units."""
    found = []
    for group in root.iter(f"{SVG}g"):
        if "legends" not in (group.get("class") or "").split():
            continue
        dx, dy = _translation(group.get("transform", ""))
        for text in group.iter(f"{SVG}text"):
            found.append(
                (text.text or "", dx + float(text.get("x", 0)), dy + float(text.get("y", 0)))
            )
    return found


def _translation(transform: str) -> tuple[float, float]:
    match = re.search(r"translate\(\s*([-0-9.]+)[ ,]+([-0-9.]+)\s*\)", transform)
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


# An average character of a sans-serif face is about 0.55 em wide; 0.6 leaves a margin.
CHARACTER_WIDTH = 0.6


def _anchor(text: ET.Element, classes: set[str]) -> str:
    """pygal's text-anchor for a text (graph.css): axes' labels centred (x) or ending at the
    axis (y), centred values and the no-data text; everything else starts at its x."""
    own = set((text.get("class") or "").split())
    if text.get("text-anchor"):
        return text.get("text-anchor", "start")
    if ("axis" in classes and "x" in classes) or own & {"centered", "no_data"}:
        return "middle"
    if "axis" in classes and "y" in classes:
        return "end"
    return "start"


def text_boxes(root: ET.Element, font_size: float) -> list[tuple[str, float, float, float]]:
    """Each drawn text with its estimated extent: (text, left, right, baseline), in the
    drawing's units, from the translations of its groups and its anchor."""
    found: list[tuple[str, float, float, float]] = []

    def walk(element: ET.Element, dx: float, dy: float, classes: set[str]) -> None:
        tx, ty = _translation(element.get("transform", ""))
        dx, dy = dx + tx, dy + ty
        classes = classes | set((element.get("class") or "").split())
        for child in element:
            if child.tag == f"{SVG}text" and (child.text or "").strip():
                width = CHARACTER_WIDTH * font_size * len(child.text or "")
                x = dx + float(child.get("x", 0))
                left = {"start": x, "middle": x - width / 2, "end": x - width}[
                    _anchor(child, classes)
                ]
                found.append((child.text or "", left, left + width, dy + float(child.get("y", 0))))
            elif isinstance(child.tag, str):
                walk(child, dx, dy, classes)

    walk(root, 0.0, 0.0, set())
    return found


def texts_cut_off(root: ET.Element) -> list[str]:
    """The texts that run (by estimate) past an edge of the drawing: cut off when shown.
    Capitals and digits rise about 0.75 em above the baseline."""
    _x, _y, width, height = (float(part) for part in root.get("viewBox", "").split())
    size = max(stated_font_sizes(root) or [16.0])
    return [
        text
        for text, left, right, baseline in text_boxes(root, size)
        if left < 0 or right > width or baseline > height or baseline - 0.75 * size < 0
    ]
