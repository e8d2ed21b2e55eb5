"""The 114 City of Los Angeles neighbourhoods and placing a point in one of them. Pure.

The boundaries are the Los Angeles Times "Mapping L.A." neighbourhoods as the City publishes
them on its GeoHub (WGS84 longitude/latitude), shipped with the app in
incubator/data/la_neighbourhoods.geojson. The published coordinates are rounded to four
decimals, which leaves a few rings self-intersecting or reduced to a point; `boundaries()`
repairs them once (drops rings of fewer than three distinct points, then `make_valid`), and
keeps the file itself exactly as published.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

DATA_PATH = Path(__file__).resolve().parents[2] / "data" / "la_neighbourhoods.geojson"

# The Los Angeles Promise Zone, by the Mapping L.A. boundaries that make it up. The federal
# designation follows census tracts, so these five boundaries approximate it.
PROMISE_ZONE = ("Hollywood", "East Hollywood", "Koreatown", "Pico-Union", "Westlake")

SOURCE_CREDIT = (
    'Neighbourhood boundaries: "Mapping L.A." (Los Angeles Times), as published by the City '
    "of Los Angeles on its GeoHub."
)

# A point this close to a neighbourhood still belongs to it: the rounded boundaries leave
# slivers between neighbours, and an address geocoded to the kerb may fall in one.
NEAREST_WITHIN_METRES = 150.0
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Boundary:
    name: str
    slug: str
    promise_zone: bool
    geometry: BaseGeometry


@dataclass(frozen=True)
class Placement:
    """Where a point fell: inside a neighbourhood, just outside one (nearest), or nowhere."""

    name: str | None
    how: str  # "inside", "nearest" or "outside"
    metres: float = 0.0


def slugify(name: str) -> str:
    """'Baldwin Hills/Crenshaw' -> 'baldwin-hills-crenshaw'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _features(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path} is not a GeoJSON FeatureCollection")
    return collection["features"]


@cache
def neighbourhood_names(path: Path = DATA_PATH) -> tuple[str, ...]:
    """The neighbourhoods' names, in alphabetical order."""
    return tuple(sorted((f["properties"]["name"] for f in _features(path)), key=str.casefold))


def _polygons(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def repair(geometry: dict) -> BaseGeometry:
    """A valid (multi)polygon from a GeoJSON geometry whose coordinates were rounded."""
    parts = []
    for rings in _polygons(geometry):
        kept = [ring for ring in rings if len({tuple(point) for point in ring}) >= 3]
        if kept:
            parts.append(Polygon(kept[0], kept[1:]))
    if not parts:
        raise ValueError("a neighbourhood without any polygon")
    shape = shapely.make_valid(MultiPolygon(parts) if len(parts) > 1 else parts[0])
    if shape.geom_type == "GeometryCollection":
        polygonal = [g for g in shape.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        shape = shapely.union_all(polygonal)
    return shape


@cache
def boundaries(path: Path = DATA_PATH) -> tuple[Boundary, ...]:
    """Every neighbourhood with its repaired geometry, in alphabetical order."""
    found = []
    for feature in _features(path):
        name = feature["properties"]["name"]
        found.append(
            Boundary(
                name=name,
                slug=slugify(name),
                promise_zone=name in PROMISE_ZONE,
                geometry=repair(feature["geometry"]),
            )
        )
    return tuple(sorted(found, key=lambda b: b.name.casefold()))


class Locator:
    """Places longitude/latitude points in neighbourhoods (point in polygon, with an index)."""

    def __init__(self, found: tuple[Boundary, ...]):
        self.boundaries = found
        self.tree = STRtree([b.geometry for b in found])

    def place(self, longitude: float, latitude: float) -> Placement:
        """The neighbourhood a point lies in. Where rounding made neighbours overlap, the one
        the point lies deepest inside; in a sliver between them or just off the edge, the
        nearest within NEAREST_WITHIN_METRES; otherwise outside the city."""
        if not (math.isfinite(longitude) and math.isfinite(latitude)):
            return Placement(None, "outside")
        point = Point(longitude, latitude)
        inside = [
            self.boundaries[i]
            for i in self.tree.query(point, predicate="intersects")
            if self.boundaries[i].geometry.covers(point)
        ]
        if inside:
            best = max(inside, key=lambda b: b.geometry.boundary.distance(point))
            return Placement(best.name, "inside")
        nearest = self.tree.nearest(point)
        if nearest is None:
            return Placement(None, "outside")
        boundary = self.boundaries[int(nearest)]
        metres = _metres(boundary.geometry.distance(point), latitude)
        if metres <= NEAREST_WITHIN_METRES:
            return Placement(boundary.name, "nearest", metres)
        return Placement(None, "outside", metres)


def _metres(degrees: float, latitude: float) -> float:
    # Distances in degrees mix longitude and latitude; at city scale the mean scale will do.
    scale = METRES_PER_DEGREE * (1 + math.cos(math.radians(latitude))) / 2
    return degrees * scale


@cache
def locator(path: Path = DATA_PATH) -> Locator:
    """One locator per process: the polygons are read and indexed once."""
    return Locator(boundaries(path))


_COORDINATES = re.compile(
    r"^\s*\(?\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*\)?\s*$"
)


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """'34.0537, -118.2427' (latitude first, as maps show them) -> (longitude, latitude).

    A pair that only makes sense the other way round (longitude first) is read that way;
    anything else is None.
    """
    found = _COORDINATES.match(text or "")
    if not found:
        return None
    first, second = float(found.group(1)), float(found.group(2))
    if abs(first) <= 90 and abs(second) <= 180:
        return second, first
    if abs(second) <= 90 and abs(first) <= 180:
        return first, second
    return None
