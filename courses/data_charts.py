"""Charts of computed figures (progress, calibration, cohort completion), drawn exactly like
lesson charts: a Plotly figure from the same builder, a written summary and a data table.

A page shows one with ``{% include "components/data_chart.html" with chart=... %}``, and
includes ``components/chart_head.html`` in its head block and ``components/chart_scripts.html``
in its scripts block. Lesson charts use the same template, with their dataset's source,
licence and downloads as its caption (``courses.rendering``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from courses.content import charts as chart_content
from courses.content.datasets import Column


@dataclass(frozen=True)
class DataChart:
    dom_id: str
    title: str
    summary: str
    figure: dict[str, Any]
    table: chart_content.Table

    @property
    def figure_id(self) -> str:
        return f"{self.dom_id}-figure"


def data_chart(
    *,
    dom_id: str,
    title: str,
    summary: str,
    spec: dict[str, Any],
    columns: list[Column],
    rows: list[dict[str, Any]],
) -> DataChart:
    """``spec`` is a chart spec as in a course's chart files (type, x, y, colour, titles,
    y_min/y_max, annotations); ``columns`` describe the keys of ``rows``."""
    return DataChart(
        dom_id=dom_id,
        title=title,
        summary=summary,
        figure=chart_content.build_figure(spec, rows, columns),
        table=chart_content.build_table(spec, rows, columns, title=title),
    )
