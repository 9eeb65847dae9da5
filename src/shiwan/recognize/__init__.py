"""recognize: a grid -> the returns it holds (form, unit, period, every figure with its cell).

The passes, each a module of its own: `hits` (cells naming indicators), `book` (which sheets, which
layout), `header` (the header band), `columns` (column -> indicator and measure), `rows` (unit, 本级,
合计, blank or 未报 rows), `lines` (title, 填报单位, 报出日期), `period`, `reporter`, `unitrows` (row ->
unit), `figures` (cells -> figures); `summary`, `unitreturn` and `transposed` put them together for
each layout.
"""

from shiwan.recognize.book import recognize, template_meta
from shiwan.recognize.model import (
    FORM_SUMMARY,
    FORM_UNIT,
    META_SHEET,
    Context,
    FigureIn,
    Options,
    ParsedFile,
    ReturnIn,
    TotalIn,
)

__all__ = ["FORM_SUMMARY", "FORM_UNIT", "META_SHEET", "Context", "FigureIn", "Options", "ParsedFile", "ReturnIn",
           "TotalIn", "recognize", "template_meta"]
