"""The cells of a rendered report page, by (measure, breakdown, breakdown_value, period): what a
reader of the page is shown, for tests that compare it with the mart or audit it."""

from __future__ import annotations

from html.parser import HTMLParser


class ReportCells(HTMLParser):
    """Text of each table cell, by (measure, breakdown, breakdown_value, period)."""

    def __init__(self):
        super().__init__()
        self.cells: dict[tuple[str, str, str, str], str] = {}
        self._measure = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-measure" in a:
            self._measure = a["data-measure"]
        elif tag == "tr" and "data-breakdown" in a:
            self._row = (a["data-breakdown"], a["data-value"])
        elif tag == "td" and self._row and "data-period" in a:
            self._cell = (self._measure, *self._row, a["data-period"])
            self.cells[self._cell] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        elif tag == "table":
            self._measure = self._row = None

    def handle_data(self, data):
        if self._cell:
            self.cells[self._cell] += data.strip()


def report_cells(html: str) -> dict[tuple[str, str, str, str], str]:
    parser = ReportCells()
    parser.feed(html)
    return parser.cells
