"""A report's chart on a sheet of its own, one A4 page, so that no page break can cut it and no
repeated header row can cover it: bars of completion (or share, on-time rate, score) by unit, with
时间进度 as a line across them where the report has it; a line by month for a trend."""

from __future__ import annotations

import math
from typing import Any

from shiwan.base.i18n import t
from shiwan.base.safetext import shown as safe
from shiwan.render.files import put
from shiwan.tally.report import Report

CHART_WIDTH_CM, CHART_HEIGHT_CM = 26.0, 14.5
COLUMN_UNITS = 10  # the chart sheet's column width (70 points each when printed)


def chart_sheet(wb, data_ws, report: Report, spec: dict[str, Any]) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = wb.create_sheet(t("sheet.chart")[:31])
    put(ws, 1, 1, report.title).font = Font(name="宋体", size=14, bold=True)
    put(ws, 2, 1, f"{report.period_line}    {report.unit_line}").font = Font(name="宋体", size=10)
    chart = _line(data_ws, spec) if report.kind == "trend" else _bars(data_ws, report, spec)
    chart.title = safe(f"{spec['title']} — {spec['header']}")
    chart.style = 10
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    ws.add_chart(chart, "A4")
    from openpyxl.utils import get_column_letter

    cols = math.ceil(CHART_WIDTH_CM / 2.54 * 72 / (COLUMN_UNITS * 7)) + 1
    rows = 3 + math.ceil(CHART_HEIGHT_CM / 2.54 * 72 / 15) + 1
    for c in range(1, cols + 1):
        ws.column_dimensions[get_column_letter(c)].width = COLUMN_UNITS
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    ws.print_area = f"A1:{get_column_letter(cols)}{rows}"  # the title lines and the chart, no more
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def _refs(ws, spec: dict[str, Any], col: int):
    from openpyxl.chart import Reference

    return Reference(ws, min_col=col, min_row=spec["first"], max_row=spec["last"])


def _bars(ws, report: Report, spec: dict[str, Any]):
    from openpyxl.chart import BarChart, LineChart, Series
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.legend import Legend

    bar = BarChart()
    bar.type = "col"
    bar.gapWidth = 60
    series = Series(_refs(ws, spec, spec["value_col"]), title=spec["header"])
    bar.series.append(series)
    bar.set_categories(_refs(ws, spec, spec["label_col"]))
    labels = DataLabelList()
    labels.showVal = True
    labels.showSerName = labels.showCatName = labels.showLegendKey = labels.showPercent = False
    bar.dataLabels = labels
    percent = report.kind in ("progress", "campaign", "completeness")
    bar.y_axis.numFmt = "0%" if percent else "General"
    bar.y_axis.title = safe(spec["header"])
    bar.x_axis.delete = bar.y_axis.delete = False
    bar.y_axis.scaling.min = 0
    bar.legend = None
    if spec.get("ref_col"):
        line = LineChart()
        ref = Series(_refs(ws, spec, spec["ref_col"]), title=spec["ref_header"])
        ref.marker.symbol = "none"
        ref.smooth = False
        ref.graphicalProperties.line.solidFill = "C00000"
        ref.graphicalProperties.line.width = 28575  # 2.25 points
        line.series.append(ref)
        bar += line
        bar.legend = Legend()
        bar.legend.position = "b"
    return bar


def _line(ws, spec: dict[str, Any]):
    from openpyxl.chart import LineChart, Series

    chart = LineChart()
    series = Series(_refs(ws, spec, spec["value_col"]), title=spec["header"])
    series.smooth = False
    chart.series.append(series)
    chart.set_categories(_refs(ws, spec, spec["label_col"]))
    chart.y_axis.title = safe(spec["header"])
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend = None
    return chart
