"""The Lakeview (AI/BI) dashboard document: datasets, one canvas page, widgets, serialized.

``serialize(document)`` is the ``serialized_dashboard`` of databricks_dashboard: keys
sorted, compact separators, one trailing-newline-free line, so the same panels always
give the same bytes. Pure (no jsii); the resolution layer decides which panels exist.

Shape (Databricks docs: "Dashboard file format" / Lakeview API ``serialized_dashboard``):
``{"datasets": [{"name", "displayName", "queryLines"}], "pages": [{"name", "displayName",
"layout": [{"widget": {...}, "position": {"x", "y", "width", "height"}}]}]}``; a chart
widget has ``queries`` (a dataset's fields) and a ``spec`` (``widgetType``, ``encodings``,
``frame``); a text widget has ``multilineTextboxSpec``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

#: Canvas width in grid units (Lakeview pages are 6 columns wide).
GRID_WIDTH = 6
CHART_WIDTH, CHART_HEIGHT, TEXT_HEIGHT = 3, 6, 2

WIDGET_TYPES = ("line", "bar", "counter")

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Dataset:
    """A named SQL query the widgets read."""

    name: str
    """Stable id inside the document (lowercase, digits, '_')."""
    display_name: str
    sql: str


@dataclass(frozen=True)
class Chart:
    """A line, bar or counter chart over one dataset's columns."""

    name: str
    title: str
    dataset: str
    widget_type: str
    x: str | None = None
    """Column on the x axis (temporal). Default: none (counter)."""
    y: str | None = None
    """Column on the y axis, or the counter's value."""
    color: str | None = None
    """Column splitting the series (e.g. model_version). Default: one series."""
    y_title: str | None = None
    """Axis title. Default: the column name."""


@dataclass(frozen=True)
class Section:
    """A heading (text widget) followed by its charts, two per row."""

    name: str
    heading: str
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class Document:
    page_name: str
    page_title: str
    datasets: tuple[Dataset, ...] = ()
    sections: tuple[Section, ...] = field(default_factory=tuple)


def document_problems(doc: Document) -> list[str]:
    """Why the document is not well formed (unique names, known datasets and widget types)."""
    problems = []
    names = [d.name for d in doc.datasets]
    widget_names = [s.name for s in doc.sections] + [c.name for s in doc.sections for c in s.charts]
    for kind, values in (("dataset", names), ("widget", widget_names)):
        for value in sorted({v for v in values if values.count(v) > 1}):
            problems.append(f"duplicate {kind} name {value!r}")
        for value in values:
            if not _NAME.match(value):
                problems.append(f"{kind} name {value!r} must match {_NAME.pattern}")
    for section in doc.sections:
        for chart in section.charts:
            if chart.dataset not in names:
                problems.append(f"chart {chart.name!r} reads unknown dataset {chart.dataset!r}")
            if chart.widget_type not in WIDGET_TYPES:
                problems.append(f"chart {chart.name!r}: unknown widget type {chart.widget_type!r}")
    return problems


def _field(column: str) -> dict[str, str]:
    return {"name": column, "expression": f"`{column}`"}


def _chart_widget(chart: Chart) -> dict[str, Any]:
    columns = [c for c in (chart.x, chart.y, chart.color) if c]
    encodings: dict[str, Any] = {}
    if chart.widget_type == "counter":
        encodings["value"] = {"fieldName": chart.y, "displayName": chart.y_title or chart.y}
    else:
        encodings["x"] = {"fieldName": chart.x, "scale": {"type": "temporal"}, "displayName": chart.x}
        encodings["y"] = {"fieldName": chart.y, "scale": {"type": "quantitative"},
                          "displayName": chart.y_title or chart.y}
        if chart.color:
            encodings["color"] = {"fieldName": chart.color, "scale": {"type": "categorical"},
                                  "displayName": chart.color}
    return {
        "name": chart.name,
        "queries": [{"name": "main_query", "query": {"datasetName": chart.dataset,
                                                     "fields": [_field(c) for c in columns],
                                                     "disaggregated": True}}],
        "spec": {"version": 2 if chart.widget_type == "counter" else 3, "widgetType": chart.widget_type,
                 "encodings": encodings, "frame": {"showTitle": True, "title": chart.title}},
    }


def to_json(doc: Document) -> dict[str, Any]:
    """The document as the Lakeview JSON object (layout computed top to bottom)."""
    problems = document_problems(doc)
    if problems:
        raise ValueError("invalid dashboard: " + "; ".join(problems))
    layout = []
    y = 0
    for section in doc.sections:
        layout.append({"widget": {"name": section.name, "multilineTextboxSpec": {"lines": [f"## {section.heading}"]}},
                       "position": {"x": 0, "y": y, "width": GRID_WIDTH, "height": TEXT_HEIGHT}})
        y += TEXT_HEIGHT
        for i, chart in enumerate(section.charts):
            layout.append({"widget": _chart_widget(chart),
                           "position": {"x": (i % 2) * CHART_WIDTH, "y": y + (i // 2) * CHART_HEIGHT,
                                        "width": CHART_WIDTH, "height": CHART_HEIGHT}})
        y += ((len(section.charts) + 1) // 2) * CHART_HEIGHT
    return {
        "datasets": [{"name": d.name, "displayName": d.display_name,
                      "queryLines": [line + "\n" for line in d.sql.splitlines()]} for d in doc.datasets],
        "pages": [{"name": doc.page_name, "displayName": doc.page_title, "pageType": "PAGE_TYPE_CANVAS",
                   "layout": layout}],
    }


def serialize(doc: Document) -> str:
    """``serialized_dashboard``: byte-stable JSON (sorted keys, compact separators)."""
    return json.dumps(to_json(doc), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
