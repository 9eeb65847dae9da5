"""Issue 12: every report workbook and template, printed through LibreOffice to PDF and read back.

Each must come out on the pages expected, its chart whole on a page of its own (every unit's label
and every value's label on that page), and no table row cut: every line of figures on a page carries
its row's label (the unit, the period, 合计), so a row printed across pages shows whose figures they
are on each. PNGs of the pages are written next to the PDFs in the test's temporary folder (never in
the repository), for a person to look at.

LibreOffice (`soffice`) and poppler (`pdftotext`, `pdftoppm`) are installed by `.ci/run`; without them
the tests are skipped, unless SHIWAN_REQUIRE_LIBREOFFICE is set (as CI sets it): then they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shiwan.cli import app

TOOLS = ("soffice", "pdftotext", "pdfinfo", "pdftoppm")
if not all(shutil.which(x) for x in TOOLS):
    if os.environ.get("SHIWAN_REQUIRE_LIBREOFFICE"):
        raise RuntimeError(f"LibreOffice and poppler are required here: {', '.join(x for x in TOOLS if not shutil.which(x))}")
    pytest.skip("LibreOffice or poppler-utils is not installed", allow_module_level=True)

# what the demo's data prints as: workbook -> (arguments, pages)
WORKBOOKS = {
    "progress": (["report", "progress"], 6),  # three indicators and their five 其中 breakdowns side by side + the chart
    "progress_city": (["report", "progress", "--under", "230100"], 3),  # no county targets: no chart
    "campaign": (["report", "campaign"], 2),
    "completeness": (["report", "completeness"], 4),  # summary, 催报名单, 迟报名单, chart
    "trend": (["report", "trend"], 2),
    "checklist": (["report", "checklist"], 1),
    "assessment": (["report", "assessment"], 6),  # scores, four pages of breakdown, chart
    "county": (["template", "county", "--unit", "230102", "--period", "2003-07"], 1),
    "city": (["template", "city", "--unit", "230100", "--period", "2003-07"], 3),  # 41 figure columns: three pages wide
    "targets": (["template", "targets"], 1),
}
# what is printed is the same whatever the database: these run once, on the demo's own SQLite file
pytestmark = pytest.mark.sqlite_only

FIGURE = re.compile(r"^(?:[\d,]+(?:\.\d+)?%?|超[\d.]+|落后[\d.]+|持平)[ᵃ-ᶻ]*$")
CELL = re.compile(rf"^(?:{FIGURE.pattern[1:-1]}|—|未报|达到|未达到|\d+/\d+[ᵃ-ᶻ]*)$")


@dataclass
class Word:
    text: str
    x: float
    y: float


@pytest.fixture(scope="module")
def printed(tmp_path_factory, demo_db) -> dict[str, Path]:
    """Every workbook of the demo's data written and printed to PDF (and PNG) in one LibreOffice run."""
    base = tmp_path_factory.mktemp("print")
    runner = CliRunner()
    db = demo_db
    out = base / "out"
    out.mkdir()
    for name, (args, _pages) in WORKBOOKS.items():
        result = runner.invoke(app, ["--db", str(db), *args, "-o", str(out / f"{name}.xlsx")])
        assert result.exit_code == 0, result.output
    profile = base / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *sorted(str(p) for p in out.glob("*.xlsx"))],
                   check=True, capture_output=True, timeout=600)
    pdfs = {name: out / f"{name}.pdf" for name in WORKBOOKS}
    for name, pdf in pdfs.items():
        assert pdf.exists(), name
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / name)], check=True, timeout=120)
    return pdfs | {"_db": db}


def pages_of(pdf: Path) -> list[list[Word]]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in xml.split("<page ")[1:]:
        words = []
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(.*?)</word>', page):
            text = m.group(3).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            words.append(Word(text, float(m.group(1)), float(m.group(2))))
        pages.append(words)
    return pages


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Words on the same line (within 3 points), top to bottom, each line left to right."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.y, w.x)):
        if lines and abs(lines[-1][0].y - w.y) < 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x) for line in lines]


def labels(db: Path) -> set[str]:
    from shiwan.ref.units import UnitTree
    from shiwan.store.db import open_db

    with open_db(str(db)) as con:
        names = {u.name for u in UnitTree.from_db(con).units}
    return names | {n + "本级" for n in names} | {"合计", "市本级", "本级"} | {f"2003-{m:02d}" for m in range(1, 13)}


def test_page_counts(printed):
    for name, (_args, pages) in WORKBOOKS.items():
        info = subprocess.run(["pdfinfo", str(printed[name])], check=True, capture_output=True, text=True).stdout
        assert f"Pages:{' ' * 10}{pages}\n" in info or re.search(rf"Pages:\s+{pages}\n", info), (name, info)


def test_no_row_printed_without_its_label(printed):
    """Every line of figures on every page begins with whose figures they are."""
    known = labels(printed["_db"])
    for name in WORKBOOKS:
        pdf = printed[name]
        for n, page in enumerate(pages_of(pdf), 1):
            if any(w.text == "—" for w in page) and _is_chart_page(page):
                continue  # the chart's own page: axis ticks and value labels
            for line in lines_of(page):
                texts = [w.text for w in line]
                if any("页" in x or x.startswith("生成时间") for x in texts):
                    continue  # the page footer
                cells = [x for x in texts if CELL.match(x)]
                if len(cells) >= 2 and len(texts) - len(cells) <= 1:  # a line of a table of figures
                    assert any(x in known or x.rstrip("ᵃᵇᶜᵈ") in known for x in texts[:3]), (name, n, texts)


def _is_chart_page(page: list[Word]) -> bool:
    return any(len(line) >= 2 and line[-2].text == "—" for line in lines_of(page)[:4])


def test_each_chart_whole_on_its_own_page(printed):
    """The chart sheet prints as the last page: its title, every unit's label and every bar's value
    label are on it, and nothing of the chart is on the table's pages."""
    import openpyxl

    charted = 0
    for name in WORKBOOKS:
        pdf = printed[name]
        wb = openpyxl.load_workbook(pdf.with_suffix(".xlsx"))
        if "图表" not in wb.sheetnames:
            continue
        charted += 1
        chart = wb["图表"]._charts[0]
        header = chart.title.tx.rich.p[0].r[0].t.split(" — ")[-1]
        pages = pages_of(pdf)
        assert _chart_title(pages[-1], header), name
        assert not any(_chart_title(p, header) for p in pages[:-1]), name
        last = [w.text for w in pages[-1]]
        data_ws = wb.worksheets[0]
        series = chart.series[0]
        cats = [c.value for row in data_ws[_range(series.cat)] for c in row]
        assert all(c in last for c in cats), (name, cats, last)
        if chart.dataLabels is not None and chart.dataLabels.showVal:
            cells = [c for row in data_ws[_range(series.val)] for c in row if isinstance(c.value, (int, float))]
            for c in cells:
                shown = f"{c.value * 100:.1f}%" if "%" in c.number_format else \
                    f"{c.value:,.2f}" if ".00" in c.number_format else f"{c.value:,.0f}"
                assert any(x.rstrip("ᵃᵇᶜᵈᵉ") == shown for x in last), (name, shown)  # a carried score keeps its mark
    assert charted == 5  # progress, campaign, completeness, trend, assessment (not the checklist, nor counties without targets)


def _range(ref) -> str:
    ref = ref.numRef or ref.strRef
    return ref.f.split("!")[1].replace("$", "")


def _chart_title(page: list[Word], header: str) -> bool:
    """A line with `— <header>` (the chart's title is `<section> — <header>`)."""
    for line in lines_of(page):
        texts = [w.text for w in line]
        if any(a == "—" and b == header for a, b in zip(texts, texts[1:], strict=False)):
            return True
    return False


def test_no_chart_when_nothing_can_be_drawn(printed):
    text = subprocess.run(["pdftotext", str(printed["progress_city"]), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "未绘图" in text


def test_the_city_form_keeps_each_indicator_whole_and_the_units_on_every_page(printed):
    pages = pages_of(printed["city"])
    for page in pages:
        words = [w.text for w in page]
        assert {"道里区", "五常市", "合计", "市本级"} <= set(words)  # the unit columns, repeated on every page
        assert words.count("本月") == words.count("本年累计") > 0, words  # a flow's two columns never parted
