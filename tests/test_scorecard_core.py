"""The scorecard's pure algorithms on plain inputs: CityScore scores and statuses, periods,
combining places, what may be published, Devpost name matching, placing points, the map."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from incubator.services.scorecard import cityscore, drawing, geography, names, periods
from incubator.services.scorecard.cityscore import Part, Status

# Scores ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (50, 100, "higher", 0.5),
        (100, 100, "higher", 1.0),
        (150, 100, "higher", 1.5),
        (500, 100, "higher", cityscore.SCORE_CAP),  # capped
        (-10, 100, "higher", 0.0),  # teams shrank: no score below zero
        (50, 100, "lower", 2.0),  # half the days it may take: twice as good, at the cap
        (80, 60, "lower", 0.75),
        (60, 60, "lower", 1.0),
        (0, 60, "lower", cityscore.SCORE_CAP),  # nothing left of what should shrink
        (0, 0, "lower", 1.0),
        (5, 0, "lower", 0.0),
    ],
)
def test_score_is_actual_over_target_or_its_inverse_when_lower_is_better(
    actual, target, direction, expected
):
    assert cityscore.score(actual, target, direction) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("actual", "target", "direction"),
    [(None, 10, "higher"), (10, None, "higher"), (10, 0, "higher"), (10, -1, "lower")],
)
def test_score_is_none_when_there_is_nothing_to_compare(actual, target, direction):
    assert cityscore.score(actual, target, direction) is None


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (1.0, Status.ON_TRACK),
        (1.7, Status.ON_TRACK),
        (0.9999, Status.WATCH),
        (0.9, Status.WATCH),
        (0.8999, Status.OFF_TRACK),
        (0.0, Status.OFF_TRACK),
    ],
)
def test_status_reads_the_score_against_the_stated_thresholds(score, expected):
    assert cityscore.ON_TRACK == 1.0 and cityscore.WATCH == 0.9
    assert cityscore.status(1.0, 1.0, score) is expected


def test_status_says_when_there_is_no_data_or_no_target():
    assert cityscore.status(None, 10, None) is Status.NO_DATA
    assert cityscore.status(3, None, None) is Status.NO_TARGET


def test_lower_is_better_turns_a_rise_into_a_worse_status():
    # Days to adopt a pilot: target 60. 54 days is on track, 64 is watch, 90 is off track.
    assert cityscore.status(54, 60, cityscore.score(54, 60, "lower")) is Status.ON_TRACK
    assert cityscore.status(64, 60, cityscore.score(64, 60, "lower")) is Status.WATCH
    assert cityscore.status(90, 60, cityscore.score(90, 60, "lower")) is Status.OFF_TRACK


def test_headline_is_the_mean_of_the_scores_there_are():
    assert cityscore.headline([1.2, 0.6, None]) == pytest.approx(0.9)
    assert cityscore.headline([None]) is None


def test_rates_combine_as_a_whole_not_as_a_mean_of_rates():
    combined = cityscore.combine([Part(1, 2), Part(9, 10)])
    assert combined == Part(10, 12)
    assert cityscore.shown_value(combined.value, combined.denominator, percent=True) == (
        pytest.approx(83.333, rel=1e-4)
    )
    assert cityscore.combine([Part(3), Part(4, 5)]) == Part(7)
    assert cityscore.combine([]) is None


def test_a_place_with_too_few_ventures_is_hidden_with_its_complement():
    hidden = cityscore.hidden_cells({"Watts": 1, "Venice": 4, "Sylmar": 7, "survey": None})
    # Watts alone would be the published total minus the others: Venice, the smallest, goes too.
    assert hidden == {"Watts", "Venice"}
    assert cityscore.hidden_cells({"A": 1, "B": 2, "C": 5}) == {"A", "B"}
    assert cityscore.hidden_cells({"A": 3, "B": 0, "C": None}) == set()


# Periods ---------------------------------------------------------------------------------------


def test_periods_are_calendar_months_quarters_and_years():
    day = date(2026, 11, 17)
    assert periods.period_start(day, "monthly") == date(2026, 11, 1)
    assert periods.period_start(day, "quarterly") == date(2026, 10, 1)
    assert periods.period_start(day, "annual") == date(2026, 1, 1)
    assert periods.period_end(date(2026, 2, 1), "monthly") == date(2026, 2, 28)
    assert periods.period_end(date(2026, 10, 1), "quarterly") == date(2026, 12, 31)
    assert periods.label(date(2026, 10, 1), "quarterly") == "Q4 2026"
    assert periods.label(date(2026, 10, 1), "monthly") == "Oct 2026"


def test_only_periods_that_have_ended_are_complete():
    found = periods.complete_periods(date(2026, 8, 20), date(2026, 11, 17), "monthly")
    assert found == [
        (date(2026, 8, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
    ]
    assert periods.complete_periods(date(2026, 11, 2), date(2026, 11, 17), "monthly") == []


# Placing points --------------------------------------------------------------------------------

# Landmarks' coordinates (latitude, longitude) and the neighbourhood they are in.
LANDMARKS = [
    ("Los Angeles City Hall, 200 N Spring St", 34.0537, -118.2427, "Downtown"),
    ("TCL Chinese Theatre, 6925 Hollywood Blvd", 34.1022, -118.3409, "Hollywood"),
    ("Barnsdall Art Park, 4800 Hollywood Blvd", 34.1000, -118.2941, "East Hollywood"),
    ("The Wiltern, 3790 Wilshire Blvd", 34.0617, -118.3086, "Koreatown"),
    ("MacArthur Park", 34.0577, -118.2787, "Westlake"),
    ("Mariachi Plaza, Boyle Heights", 34.0472, -118.2196, "Boyle Heights"),
    ("Watts Towers, 1765 E 107th St", 33.9388, -118.2413, "Watts"),
    ("Griffith Observatory", 34.1184, -118.3004, "Griffith Park"),
    ("University of Southern California", 34.0224, -118.2851, "University Park"),
    ("Venice Beach Boardwalk", 33.9850, -118.4695, "Venice"),
    ("Los Angeles International Airport", 33.9416, -118.4085, "Westchester"),
    ("Van Nuys Airport", 34.2098, -118.4899, "Van Nuys"),
]


@pytest.mark.parametrize(("place", "latitude", "longitude", "expected"), LANDMARKS)
def test_known_addresses_land_in_their_neighbourhood(place, latitude, longitude, expected):
    placement = geography.locator().place(longitude, latitude)

    assert placement.name == expected, place
    assert placement.how == "inside"


@pytest.mark.parametrize(
    ("place", "latitude", "longitude"),
    [("Santa Monica", 34.0195, -118.4912), ("Beverly Hills City Hall", 34.0736, -118.4004)],
)
def test_points_in_other_cities_are_outside(place, latitude, longitude):
    assert geography.locator().place(longitude, latitude).name is None, place


def test_a_point_just_off_the_edge_goes_to_the_nearest_neighbourhood():
    # 50 m west of the coast at Venice Beach: in the sea, but plainly a Venice address.
    placement = geography.locator().place(-118.4745, 33.9850)
    assert placement.how in ("inside", "nearest")
    assert placement.name == "Venice"


def test_the_boundaries_are_the_114_neighbourhoods_all_valid():
    found = geography.boundaries()
    assert len(found) == 114
    assert all(b.geometry.is_valid and not b.geometry.is_empty for b in found)
    zone = sorted(b.name for b in found if b.promise_zone)
    assert zone == sorted(geography.PROMISE_ZONE)
    assert geography.neighbourhood_names() == tuple(b.name for b in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("34.0537, -118.2427", (-118.2427, 34.0537)),
        ("(34.0537 -118.2427)", (-118.2427, 34.0537)),
        ("-118.2427, 34.0537", (-118.2427, 34.0537)),
        ("200 N Spring St", None),
        ("200, 300", None),
    ],
)
def test_coordinates_are_read_latitude_first_as_maps_show_them(text, expected):
    assert geography.parse_coordinates(text) == expected


# Devpost answers -------------------------------------------------------------------------------

ALL_NAMES = [*geography.neighbourhood_names(), "Citywide"]


@pytest.mark.parametrize(
    ("answer", "expected", "unmatched"),
    [
        ("Boyle Heights", ["Boyle Heights"], []),
        ("boyle heights, EAST HOLLYWOOD", ["Boyle Heights", "East Hollywood"], []),
        ("We serve Koreatown & Pico Union", ["Koreatown", "Pico-Union"], []),
        ("K-Town and DTLA", ["Koreatown", "Downtown"], []),
        ("East Hollywood", ["East Hollywood"], []),  # not Hollywood as well
        ("North Hollywood and Hollywood", ["North Hollywood", "Hollywood"], []),
        ("Boyle Hights", ["Boyle Heights"], []),  # a misspelling close enough
        ("South Central", ["Historic South-Central"], []),
        ("Baldwin Hills / Crenshaw", ["Baldwin Hills/Crenshaw"], []),
        ("Citywide", ["Citywide"], []),
        ("Leimert Park and Inglewood", ["Leimert Park"], ["inglewood"]),
        ("Santa Monica", [], ["santa monica"]),
        ("", [], []),
    ],
)
def test_devpost_answer_is_matched_to_neighbourhood_names(answer, expected, unmatched):
    found = names.match_names(answer, ALL_NAMES)
    assert found.names == expected
    assert found.unmatched == unmatched


def test_the_neighbourhood_question_is_found_among_the_custom_answers():
    answers = {"College": "UCLA", "Which neighborhood(s) does your project serve?": "Watts"}
    assert names.find_answer(answers) == ("Which neighborhood(s) does your project serve?", "Watts")
    assert names.find_answer({"Neighbourhood": "  "}) is None
    assert names.find_answer({"College": "UCLA"}) is None


# The map and the trend lines -------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def test_the_map_has_one_titled_path_per_neighbourhood_and_no_script_or_style():
    found = geography.boundaries()
    cells = {
        "Watts": drawing.MapCell(12, "12 jobs"),
        "Venice": drawing.MapCell(3, "3 jobs"),
        "Koreatown": drawing.MapCell(None, "not published", hidden=True),
    }
    document = drawing.choropleth(
        found,
        cells,
        title="Jobs created by neighbourhood",
        description="Highest in Watts.",
        credit=geography.SOURCE_CREDIT,
    )
    root = ET.fromstring(document)  # noqa: S314 (the app's own output)

    paths = [p for p in root.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None]
    titles = {p.find(f"{SVG}title").text: p.get("fill") for p in paths}
    assert len(paths) == 114 + 1  # every neighbourhood, and the Promise Zone's outline
    assert titles["Watts: 12 jobs"] == drawing.CLASS_COLOURS[-1]
    assert titles["Koreatown (Promise Zone): not published"] == drawing.HIDDEN_COLOUR
    assert titles["Sylmar: no data"] == drawing.NO_DATA_COLOUR
    assert root.find(f"{SVG}desc").text == f"Highest in Watts. {geography.SOURCE_CREDIT}"
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}style"))
    assert b"style=" not in document


def test_the_map_draws_no_text_and_its_key_is_for_the_page():
    """Text in a 720-wide map would be 6 px on a phone, and a legend of long ranges ran off
    its right edge: the key is the page's, which wraps."""
    cells = {
        name: drawing.MapCell(value, f"${value:,}")
        for name, value in (("Watts", 1000), ("Venice", 20000), ("Sylmar", 300000))
    }
    cells["Koreatown"] = drawing.MapCell(None, "not published", hidden=True)

    document = drawing.choropleth(
        geography.boundaries(), cells, title="Capital", description="", credit="Credit."
    )
    legend = drawing.map_legend(cells, lambda v: f"${v:,.0f}")

    root = ET.fromstring(document)  # noqa: S314 (the app's own output)
    assert not list(root.iter(f"{SVG}text"))
    assert [(entry.label, entry.colour, entry.line) for entry in legend] == [
        ("up to $1,000", drawing.CLASS_COLOURS[0], False),
        ("$1,000 to $20,000", drawing.CLASS_COLOURS[2], False),
        ("$20,000 to $300,000", drawing.CLASS_COLOURS[-1], False),
        ("no data", drawing.NO_DATA_COLOUR, False),
        ("not published (too few ventures)", drawing.HIDDEN_COLOUR, False),
        ("the Promise Zone", drawing.ZONE_COLOUR, True),
    ]
    fills = {p.find(f"{SVG}title").text: p.get("fill") for p in root.iter(f"{SVG}path")}
    assert fills["Venice: $20,000"] == drawing.CLASS_COLOURS[2]


def test_projection_keeps_the_city_in_the_frame():
    projection = drawing.base_map(geography.boundaries()).projection
    for _name, latitude, longitude, _where in LANDMARKS:
        x, y = projection.point(longitude, latitude)
        assert 0 <= x <= projection.width and 0 <= y <= projection.height


def test_class_breaks_are_quantiles_without_repeats():
    assert drawing.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [2, 4, 6, 8, 10]
    assert drawing.class_breaks([5, 5, 5]) == [5]
    assert drawing.class_breaks([]) == []
    bounds = drawing.class_breaks([1, 2, 3, 4, 5])
    assert drawing.colour_for(1, bounds) == drawing.CLASS_COLOURS[0]
    assert drawing.colour_for(5, bounds) == drawing.CLASS_COLOURS[-1]


def test_sparkline_draws_the_series_and_the_target():
    document = drawing.sparkline([1, 3, 2, 5], 4, title="Jobs created, trend")
    root = ET.fromstring(document)  # noqa: S314 (the app's own output)
    assert root.find(f"{SVG}polyline").get("points").count(",") == 4
    assert root.find(f"{SVG}line") is not None  # the target
    assert root.find(f"{SVG}title").text == "Jobs created, trend"
