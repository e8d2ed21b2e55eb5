"""The scorecard's SVG pictures, drawn by hand: the city map shaded by a metric, and the small
trend lines. Pure: they take plain values and return SVG documents.

The map projects longitude and latitude equirectangularly, with longitude scaled by the
cosine of 34 degrees (the city's latitude), which at city scale is indistinguishable from a
conformal projection. Each neighbourhood is one <path> with a <title> naming it and its
value; the Promise Zone is outlined. The map draws no text: its legend (`map_legend`) and
the boundaries' credit are the page's, so they read at any width and never run off the
edge, where text inside the map would shrink with it to a few pixels on a phone. The
documents use presentation attributes only (no <style>, no script), so they are served
with `default-src 'none'`. The few words the map and its key say come in as `MapWords`, in
the reader's language (English unless the caller gives others).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape, quoteattr

import shapely
from shapely.geometry.base import BaseGeometry

from incubator.services.scorecard.geography import Boundary

MAP_WIDTH = 720
MAP_MARGIN = 10
# Boundaries are simplified to about 40 m before drawing: invisible at this size, and the
# document shrinks to a fraction.
SIMPLIFY_DEGREES = 0.0004
COS_LATITUDE = math.cos(math.radians(34.0))
# The darker five of ColorBrewer's six-class Blues: light is low, dark is high; the lightest
# is left out so that the lowest class never looks like a neighbourhood without data (white).
CLASS_COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA_COLOUR = "#ffffff"
HIDDEN_COLOUR = "#adb5bd"
EDGE_COLOUR = "#6c757d"
ZONE_COLOUR = "#d63384"


@dataclass(frozen=True)
class MapCell:
    """What one neighbourhood shows: a number, a hidden figure, or nothing."""

    value: float | None = None
    text: str = "no data"
    hidden: bool = False


@dataclass(frozen=True)
class MapWords:
    """What the map and its key say besides the figures: a neighbourhood's note that it is in
    the Promise Zone, the zone's outline, and the key's entries."""

    in_zone: str = "Promise Zone"
    zone_outline: str = "The Promise Zone"
    zone_key: str = "the Promise Zone"
    no_data: str = "no data"
    hidden: str = "not published (too few ventures)"
    # A class's range in the key: "up to 10", "10 to 20".
    up_to: Callable[[str], str] = "up to {}".format
    between: Callable[[str, str], str] = "{} to {}".format


ENGLISH = MapWords()


@dataclass(frozen=True)
class Projection:
    west: float
    north: float
    scale: float
    width: int
    height: int

    def point(self, longitude: float, latitude: float) -> tuple[float, float]:
        x = MAP_MARGIN + (longitude - self.west) * COS_LATITUDE * self.scale
        y = MAP_MARGIN + (self.north - latitude) * self.scale
        return round(x, 1), round(y, 1)


def projection_for(found: Sequence[Boundary], width: int = MAP_WIDTH) -> Projection:
    west, south, east, north = shapely.union_all([b.geometry for b in found]).bounds
    scale = (width - 2 * MAP_MARGIN) / ((east - west) * COS_LATITUDE)
    height = math.ceil((north - south) * scale) + 2 * MAP_MARGIN
    return Projection(west, north, scale, width, height)


def _path(geometry: BaseGeometry, projection: Projection) -> str:
    polygons = getattr(geometry, "geoms", [geometry])
    commands = []
    for polygon in polygons:
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [projection.point(x, y) for x, y in ring.coords[:-1]]
            if len(points) < 3:
                continue
            head, *rest = points
            commands.append(f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in rest) + "Z")
    return "".join(commands)


@dataclass(frozen=True)
class BaseMap:
    """The projected outlines, computed once per process."""

    projection: Projection
    paths: tuple[tuple[str, str, bool], ...]  # (name, path data, in the Promise Zone)
    zone_outline: str


@cache
def base_map(found: tuple[Boundary, ...]) -> BaseMap:
    projection = projection_for(found)
    paths = tuple(
        (
            b.name,
            _path(b.geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True), projection),
            b.promise_zone,
        )
        for b in found
    )
    zone = shapely.union_all([b.geometry for b in found if b.promise_zone])
    outline = _path(zone.simplify(SIMPLIFY_DEGREES, preserve_topology=True), projection)
    return BaseMap(projection, paths, outline)


def class_breaks(values: Sequence[float], classes: int = len(CLASS_COLOURS)) -> list[float]:
    """Upper bounds of up to `classes` classes holding about as many values each (quantiles),
    without repeats; the last bound is the largest value."""
    ordered = sorted(values)
    if not ordered:
        return []
    bounds: list[float] = []
    for number in range(1, classes + 1):
        index = math.ceil(number * len(ordered) / classes) - 1
        bound = ordered[max(index, 0)]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def colour_for(value: float, bounds: Sequence[float]) -> str:
    """The class colour of a value: the first class whose upper bound holds it. With fewer
    classes than colours, the classes are spread over the whole ramp."""
    index = next((i for i, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)
    if len(bounds) <= 1:
        return CLASS_COLOURS[-1]
    step = (len(CLASS_COLOURS) - 1) / (len(bounds) - 1)
    return CLASS_COLOURS[round(index * step)]


def _attr(value: object) -> str:
    return quoteattr(str(value))


def choropleth(
    found: tuple[Boundary, ...],
    cells: Mapping[str, MapCell],
    *,
    title: str,
    description: str,
    credit: str,
    words: MapWords = ENGLISH,
) -> bytes:
    """The city map, each neighbourhood shaded by its value's class (`map_legend` says
    which); the credit is in its description."""
    drawn = base_map(found)
    projection = drawn.projection
    bounds = class_breaks(_published(cells))
    width, height = projection.width, projection.height
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        'aria-labelledby="map-title map-desc">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(f"{description} {credit}")}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<g stroke="{EDGE_COLOUR}" stroke-width="0.4" stroke-linejoin="round">',
    ]
    for name, path, in_zone in drawn.paths:
        cell = cells.get(name, MapCell())
        if cell.hidden:
            fill = HIDDEN_COLOUR
        elif cell.value is None:
            fill = NO_DATA_COLOUR
        else:
            fill = colour_for(cell.value, bounds)
        zone = f" ({words.in_zone})" if in_zone else ""
        out.append(
            f"<path d={_attr(path)} fill={_attr(fill)}>"
            f"<title>{escape(f'{name}{zone}: {cell.text}')}</title></path>"
        )
    out.append("</g>")
    if drawn.zone_outline:
        out.append(
            f'<path d={_attr(drawn.zone_outline)} fill="none" stroke="{ZONE_COLOUR}" '
            f'stroke-width="2" stroke-linejoin="round"><title>{escape(words.zone_outline)}</title>'
            "</path>"
        )
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")


def _published(cells: Mapping[str, MapCell]) -> list[float]:
    return [c.value for c in cells.values() if c.value is not None and not c.hidden]


@dataclass(frozen=True)
class LegendEntry:
    """One key of the map: a colour (a filled square, or a line for an outline) and what it
    means."""

    colour: str
    label: str
    line: bool = False


def map_legend(
    cells: Mapping[str, MapCell], legend_format, words: MapWords = ENGLISH
) -> list[LegendEntry]:
    """The map's key, as the page shows it beside the map: each class's colour and range,
    then no data, not published and the Promise Zone's outline."""
    bounds = class_breaks(_published(cells))
    entries = []
    previous = None
    for bound in bounds:
        if previous is None:
            label = words.up_to(legend_format(bound))
        else:
            label = words.between(legend_format(previous), legend_format(bound))
        entries.append(LegendEntry(colour_for(bound, bounds), label))
        previous = bound
    return [
        *entries,
        LegendEntry(NO_DATA_COLOUR, words.no_data),
        LegendEntry(HIDDEN_COLOUR, words.hidden),
        LegendEntry(ZONE_COLOUR, words.zone_key, line=True),
    ]


SPARK_WIDTH = 132
SPARK_HEIGHT = 36
SPARK_PAD = 4
LINE_COLOUR = "#0d6efd"
TARGET_COLOUR = "#198754"


def sparkline(values: Sequence[float], target: float | None, *, title: str) -> bytes:
    """A small trend line, oldest on the left, with the target as a dashed line."""
    span = [v for v in values if v is not None and math.isfinite(v)]
    if target is not None and math.isfinite(target):
        span.append(target)
    low, high = (min(span), max(span)) if span else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    inner_w = SPARK_WIDTH - 2 * SPARK_PAD
    inner_h = SPARK_HEIGHT - 2 * SPARK_PAD

    def y_of(value: float) -> float:
        return round(SPARK_PAD + (high - value) / (high - low) * inner_h, 1)

    step = inner_w / max(len(values) - 1, 1)
    points = [(round(SPARK_PAD + i * step, 1), y_of(v)) for i, v in enumerate(values)]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" role="img" aria-label={_attr(title)}>',
        f"<title>{escape(title)}</title>",
    ]
    if target is not None and math.isfinite(target):
        y = y_of(target)
        out.append(
            f'<line x1="{SPARK_PAD}" y1="{y}" x2="{SPARK_WIDTH - SPARK_PAD}" y2="{y}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="1" stroke-dasharray="3 2"/>'
        )
    if len(points) > 1:
        joined = " ".join(f"{x},{y}" for x, y in points)
        out.append(
            f'<polyline points="{joined}" fill="none" stroke="{LINE_COLOUR}" '
            'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    if points:
        x, y = points[-1]
        out.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{LINE_COLOUR}"/>')
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")
