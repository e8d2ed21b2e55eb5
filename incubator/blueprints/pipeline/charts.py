"""SVG charts of the pipeline, drawn on the server with pygal.

Each chart is served as its own image/svg+xml response and shown with <img>, which runs
no script; pygal's own script (its config as JSON) is removed from the document as well.
Every chart has one unit: a venture's KPIs are one small chart each, never two axes. Its
numbers are in a table beside it on the page, and the document names itself (role="img",
aria-label and <title>) for whoever opens it alone.

Charts are small (CHART_WIDTH) and their text large enough that it stays at least
SMALLEST_TEXT CSS px when the chart shrinks to NARROWEST_SHOWN on a phone: an SVG's text
scales with its box.

Their words (names, legends, axis labels, "No data yet") are in the request's language.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from incubator import i18n
from incubator.services.pipeline.analytics import CohortAnalytics, KpiSeries, VentureKpis
from incubator.services.pipeline.stages import STAGES, stage_label

# The chart document's own policy: its inline <style> only, nothing fetched or run.
CHART_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# The width and height of every chart, in the document's units and in CSS px at most: the
# pages show a chart at this width, or narrower when the column is narrower.
CHART_WIDTH = 360
CHART_HEIGHT = 260
# The narrowest a chart is shown: a 320 CSS px screen (the width WCAG's reflow criterion
# names) less the page's margins (32 px) and the card's padding and border (18 px).
NARROWEST_SHOWN = 270
SMALLEST_TEXT = 11  # CSS px
FONT_SIZE = math.ceil(SMALLEST_TEXT * CHART_WIDTH / NARROWEST_SHOWN)

STAGE_COLOURS = ("#6c757d", "#0dcaf0", "#0d6efd", "#6f42c1", "#198754")
KPI_COLOUR = "#0d6efd"

# pygal's style sheet also styles what only its script draws (the tooltip) and what these
# charts never have (gauge bounds, a map's maximum), in em; those rules are dropped so that
# every size the document states is one of FONT_SIZE's.
_UNUSED_RULE = re.compile(r"[^{}]*(?:\.tooltip|\.bound|\.max-value)[^{}]*\{[^{}]*\}")


def _style(colours: tuple[str, ...]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        colors=colours,
        title_font_size=FONT_SIZE,
        label_font_size=FONT_SIZE,
        major_label_font_size=FONT_SIZE,
        value_font_size=FONT_SIZE,
        value_label_font_size=FONT_SIZE,
        tooltip_font_size=FONT_SIZE,
        legend_font_size=FONT_SIZE,
        no_data_font_size=FONT_SIZE,
    )


def _config(colours: tuple[str, ...], **options) -> dict:
    """What every chart shares. The title is the page's heading and the document's <title>,
    not drawn: drawn, it would take room from the numbers."""
    return {
        "js": [],
        "title": None,
        "style": _style(colours),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "margin": 8,
        # Room for half of the last week's label, centred on the right-most bar or point.
        "margin_right": 8 + 2 * FONT_SIZE,
        "spacing": 6,
        "show_legend": False,
        # Never shorten a label or a legend to "Protot…": they are few and short.
        "truncate_label": -1,
        "truncate_legend": -1,
        "no_data_text": _("No data yet"),
        "print_values": False,
        **options,
    }


def _svg(chart: pygal.graph.graph.Graph, name: str) -> bytes:
    """The chart as a standalone SVG document named `name`, without pygal's <script>
    elements or the style rules for what they would draw."""
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if tag == "script":
                parent.remove(child)
            elif tag == "style" and child.text:
                child.text = _UNUSED_RULE.sub("", child.text)
    for title in root.findall(f"{{{SVG_NAMESPACE}}}title"):
        root.remove(title)
    heading = ET.Element(f"{{{SVG_NAMESPACE}}}title")
    heading.text = name
    root.insert(0, heading)
    root.set("role", "img")
    root.set("aria-label", name)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _count_labels(highest: int) -> dict:
    """Whole-number y labels for counts of ventures, about five at most (none without data:
    pygal cannot place labels on an empty chart)."""
    if highest <= 0:
        return {}
    step = max(1, math.ceil(highest / 5))
    return {"y_labels": list(range(0, highest + step, step))}


def _week_label(week: date) -> str:
    """A week by its Monday, without the year: "Mar 2", "2 mar"."""
    return i18n.format_day(week, year=False)


def _weekly_x_axis(weeks: Sequence[object]) -> dict:
    """Options for an x axis of weeks: every week named up to four, then about four named."""
    shown = 4
    return {
        "show_minor_x_labels": len(weeks) <= shown,
        "x_labels_major_every": max(1, math.ceil(len(weeks) / shown)),
    }


def stage_counts_chart(found: CohortAnalytics) -> bytes:
    """Stacked bars: how many ventures were at each stage at the end of each week."""
    weeks = found.weeks
    chart = pygal.StackedBar(
        **_config(
            STAGE_COLOURS,
            **_weekly_x_axis(weeks),
            show_legend=True,
            # Below the bars, in pygal's own columns: it leaves room for as many rows as
            # columns, and with the columns set it leaves too little.
            legend_at_bottom=True,
            **_count_labels(max((week.total for week in weeks), default=0)),
        )
    )
    chart.x_labels = [_week_label(week.week_start) for week in weeks]
    if weeks and found.active:
        for stage in STAGES:
            chart.add(stage_label(stage), [week.counts[stage] for week in weeks])
    return _svg(
        chart,
        _("%(cohort)s: active ventures by stage, week by week", cohort=found.cohort.name),
    )


def distribution_chart(found: CohortAnalytics) -> bytes:
    """Horizontal bars: how many active ventures are at each stage now (stage names read
    across, at the left)."""
    # pygal draws the first bar at the bottom; the stages read from the top.
    stages = list(zip(STAGES, STAGE_COLOURS, strict=True))[::-1]
    chart = pygal.HorizontalBar(
        **_config(
            STAGE_COLOURS,
            print_values=True,
            print_zeroes=False,
            print_values_position="top",
            **_count_labels(max(found.distribution.values(), default=0)),
        )
    )
    chart.x_labels = [stage_label(stage) for stage, _colour in stages]
    if found.active:
        chart.add(
            _("Ventures"),
            [{"value": found.distribution[stage], "color": colour} for stage, colour in stages],
        )
    return _svg(chart, _("%(cohort)s: active ventures by stage now", cohort=found.cohort.name))


def kpi_value_text(series: KpiSeries, value: float) -> str:
    """A KPI's value as the table beside its chart shows it, and the chart's points carry."""
    if series.money:
        return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"
    return f"{value:,.10g}"


def _axis_label(series: KpiSeries, value: float) -> str:
    """A short y-axis label: 1,500, 12k, 2.5M; money with its dollar sign."""
    size = abs(value)
    if size >= 1_000_000:
        text = f"{value / 1_000_000:.3g}M"
    elif size >= 10_000:
        text = f"{value / 1_000:.3g}k"
    elif size >= 100 or value == int(value):
        text = f"{value:,.0f}"
    else:
        text = f"{value:.3g}"
    return f"${text}" if series.money else text


def kpi_chart(kpis: VentureKpis, key: str) -> bytes:
    """A line: one KPI week by week, on its own axis. A week without a figure breaks the
    line rather than drawing a figure nobody reported."""
    series = next(kpi for kpi in kpis.series if kpi.key == key)
    reported = [value for value in series.values if value is not None]
    # Counts such as pilots or team size get whole-number labels, not 0.2, 0.4...
    whole = all(value == int(value) for value in reported) and max(reported, default=0) <= 10
    chart = pygal.Line(
        **_config(
            (KPI_COLOUR,),
            **_weekly_x_axis(kpis.weeks),
            allow_interruptions=True,
            include_x_axis=True,
            max_scale=6,
            **(_count_labels(int(max(reported, default=0))) if whole else {}),
            value_formatter=lambda value: _axis_label(series, value),
            formatter=lambda value: kpi_value_text(series, value),
        )
    )
    chart.x_labels = [_week_label(week) for week in kpis.weeks]
    chart.add(series.label, series.values)
    return _svg(
        chart,
        _(
            "%(venture)s: %(kpi)s, week by week",
            venture=kpis.venture.name,
            kpi=series.label,
        ),
    )


def empty_kpi_chart(kpis: VentureKpis) -> bytes:
    """The chart of a venture that reports no KPI (or shares none): it says so."""
    chart = pygal.Line(**_config((KPI_COLOUR,)))
    return _svg(chart, _("%(venture)s: no KPIs reported yet", venture=kpis.venture.name))


@dataclass(frozen=True)
class KpiTable:
    """One KPI's chart and its numbers: the weeks it was reported, as text."""

    key: str
    label: str
    rows: list[tuple[date, str]]


def kpi_tables(kpis: VentureKpis) -> list[KpiTable]:
    """The table beside each KPI's chart: every week with a figure, oldest first."""
    return [
        KpiTable(
            series.key,
            series.label,
            [
                (week, kpi_value_text(series, value))
                for week, value in zip(kpis.weeks, series.values, strict=True)
                if value is not None
            ],
        )
        for series in kpis.series
    ]
