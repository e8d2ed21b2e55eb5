"""SVG charts of the pipeline, drawn on the server with pygal.

Each chart is served as its own image/svg+xml response and shown with <img>, which runs
no script; pygal's own script (its config as JSON) is removed from the document as well.
The pages carry the same numbers as tables, so they read without the images.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pygal
from pygal.style import Style

from incubator.services.pipeline.analytics import CohortAnalytics, VentureKpis
from incubator.services.pipeline.stages import STAGES

# The chart document's own policy: its inline <style> only, nothing fetched or run.
CHART_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

STAGE_COLOURS = ("#6c757d", "#0dcaf0", "#0d6efd", "#6f42c1", "#198754")
KPI_COLOURS = (
    "#0d6efd",
    "#198754",
    "#dc3545",
    "#fd7e14",
    "#6f42c1",
    "#20c997",
    "#6c757d",
    "#d63384",
)


def _style(colours: tuple[str, ...]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        colors=colours,
        title_font_size=16,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
    )


def _config(colours: tuple[str, ...], title: str, **options) -> dict:
    return {
        "js": [],
        "title": title,
        "style": _style(colours),
        "width": 800,
        "height": 400,
        "legend_at_bottom": True,
        "no_data_text": "No data yet",
        "print_values": False,
        **options,
    }


def _svg(chart: pygal.graph.graph.Graph) -> bytes:
    """The chart as a standalone SVG document without pygal's <script> elements."""
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _count_labels(highest: int) -> dict:
    """Whole-number y labels for counts of ventures, about eight at most (none without data:
    pygal cannot place labels on an empty chart)."""
    if highest <= 0:
        return {}
    step = max(1, math.ceil(highest / 8))
    return {"y_labels": list(range(0, highest + step, step))}


def _number_label(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _week_label(week) -> str:
    return week.strftime("%b %-d")


def _weekly_x_axis(weeks: list) -> dict:
    """Options for an x axis of weeks: slanted labels, about eight of them named."""
    return {
        "x_label_rotation": 30,
        "show_minor_x_labels": len(weeks) <= 16,
        "x_labels_major_every": max(1, len(weeks) // 8),
    }


def stage_counts_chart(found: CohortAnalytics) -> bytes:
    """Stacked bars: how many ventures were at each stage at the end of each week."""
    weeks = found.weeks
    chart = pygal.StackedBar(
        **_config(
            STAGE_COLOURS,
            f"{found.cohort.name}: ventures by stage, week by week",
            **_weekly_x_axis(weeks),
            y_title="Ventures",
            **_count_labels(max((week.total for week in weeks), default=0)),
        )
    )
    chart.x_labels = [_week_label(week.week_start) for week in weeks]
    if weeks and found.active:
        for stage in STAGES:
            chart.add(stage.label, [week.counts[stage] for week in weeks])
    return _svg(chart)


def distribution_chart(found: CohortAnalytics) -> bytes:
    """Bars: how many active ventures are at each stage now."""
    chart = pygal.Bar(
        **_config(
            STAGE_COLOURS,
            f"{found.cohort.name}: ventures by stage now",
            y_title="Ventures",
            show_legend=False,
            print_values=True,
            print_zeroes=False,
            **_count_labels(max(found.distribution.values(), default=0)),
        )
    )
    chart.x_labels = [stage.label for stage in STAGES]
    if found.active:
        chart.add(
            "Ventures",
            [
                {"value": found.distribution[stage], "color": colour}
                for stage, colour in zip(STAGES, STAGE_COLOURS, strict=True)
            ],
        )
    return _svg(chart)


def kpi_chart(kpis: VentureKpis) -> bytes:
    """Lines: each KPI week by week; money on the right-hand axis, counts on the left."""
    weeks = kpis.weeks
    chart = pygal.Line(
        **_config(
            KPI_COLOURS,
            f"{kpis.venture.name}: KPIs week by week",
            **_weekly_x_axis(weeks),
            value_formatter=_number_label,
        )
    )
    chart.x_labels = [_week_label(week) for week in weeks]
    for series in kpis.series:
        label = f"{series.label}, right-hand axis" if series.money else series.label
        chart.add(label, series.values, secondary=series.money)
    return _svg(chart)
