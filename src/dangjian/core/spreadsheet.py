"""The one spreadsheet writer (issue 7 §3, issue 8 §6): every .xlsx and .csv the platform produces is
written here, so no export can put a live formula in front of the person who opens it.

Formula injection (OWASP "CSV Injection"): a text cell that starts with ``=``, ``+``, ``-``, ``@``,
tab, CR or LF — or the full-width ``＝ ＋ － ＠`` that an input method turns into them — is read as a
formula by Excel, LibreOffice and WPS. A member's name, a payment reference or an org name typed as
``=HYPERLINK("http://x","y")`` would run in the session of whoever opens the export. So:

- **CSV**: every such text cell gets a leading single quote (``'=HYPERLINK(…)``), as OWASP advises.
  :func:`restore` undoes exactly that when the platform reads its own CSV back (the exchange importer),
  so an export still re-imports unchanged.
- **xlsx**: text is always written as a string cell (inline string, never a formula element), and a
  text cell that starts with a trigger also gets Excel's own "quote prefix" style — what Excel stores
  when a person types ``'=1+1`` — so editing the cell later keeps it text. The value itself is kept
  exactly (round trip), numbers and dates stay typed.

Masking is the caller's business (it knows whether the actor may reveal a row); this module only
writes what it is given, safely. xlsx is written with a write-only workbook (constant memory, rows
streamed to a temporary file); CSV is UTF-8 with a BOM (Excel on a Chinese Windows reads it) and can
be streamed line by line (:func:`csv_lines`) into a ``StreamingHttpResponse``.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = [
    "CONTENT_TYPES",
    "CSV",
    "TRIGGERS",
    "XLSX",
    "Cell",
    "TableWriter",
    "XlsxBook",
    "XlsxSheet",
    "csv_lines",
    "neutralise",
    "restore",
]

XLSX = "xlsx"
CSV = "csv"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
BOM = "\ufeff"

# OWASP's list (=, +, -, @, tab, CR) with LF, and the full-width forms Chinese input methods produce.
TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# characters XML 1.0 cannot carry at all (openpyxl would raise): shown as U+FFFD instead of a crash
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def neutralise(text: str) -> str:
    """A CSV text cell as it may leave: a leading single quote when it starts with a formula trigger."""
    return "'" + text if text[:1] in TRIGGERS else text


def restore(text: Any) -> Any:
    """The inverse of :func:`neutralise` for a cell read back from a CSV the platform wrote."""
    if isinstance(text, str) and text[:1] == "'" and text[1:2] in TRIGGERS:
        return text[1:]
    return text


@dataclass(frozen=True, slots=True)
class Cell:
    """A value with presentation: bold/italic, font *color* and background *fill* (hex ``RRGGBB``), an
    Excel *number_format*, a *comment* (a note on the cell). In CSV only the value counts."""

    value: Any = None
    bold: bool = False
    italic: bool = False
    color: str | None = None
    fill: str | None = None
    number_format: str | None = None
    comment: str | None = None


# --------------------------------------------------------------------------------------------- xlsx


def _plain(value: Any) -> Any:
    """A Python value as a cell holds it: text, a number, a date (local, naive), a bool, or None."""
    if value is None or isinstance(value, bool | int | float | Decimal | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # Excel has no time zones: the site's local time
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    return str(value)


class XlsxSheet:
    """One sheet of an :class:`XlsxBook`; rows are appended in order and streamed to disk."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet

    def append(self, values: Iterable[Any]) -> None:
        self._sheet.append([self._cell(v) for v in values])

    def add_validation(self, validation: Any) -> None:
        """An ``openpyxl.worksheet.datavalidation.DataValidation`` (dropdown lists in templates)."""
        self._sheet.data_validations.append(validation)

    def _cell(self, value: Any) -> Any:
        style = value if isinstance(value, Cell) else None
        plain = _plain(style.value if style else value)
        if isinstance(plain, str):
            plain = _ILLEGAL_XML.sub("\ufffd", plain)
            risky = plain[:1] in TRIGGERS
        else:
            risky = False
        if style is None and not risky:
            return plain  # the common case: openpyxl types it (a str not starting with "=" is a string)
        cell = WriteOnlyCell(self._sheet, value=plain)
        if isinstance(plain, str):
            cell.data_type = "s"  # text typed by a person is never a formula, whatever it starts with
            if risky:
                cell.quotePrefix = True
        if style is not None:
            if style.bold or style.italic or style.color:
                cell.font = Font(bold=style.bold, italic=style.italic, color=style.color)
            if style.fill:
                cell.fill = PatternFill("solid", fgColor=style.fill)
            if style.number_format:
                cell.number_format = style.number_format
            if style.comment:
                cell.comment = Comment(style.comment, "dangjian")
        return cell


class XlsxBook:
    """A write-only workbook of one or more sheets (constant memory); :meth:`save` writes it out."""

    def __init__(self) -> None:
        self._book = Workbook(write_only=True)

    def sheet(self, title: str, *, widths: Mapping[int, float] | None = None, freeze: str | None = None,
              hidden: bool = False) -> XlsxSheet:
        """A new sheet. *widths*: column width by 1-based column number (set before any row);
        *freeze*: the top-left cell of the scrolling area (``"A2"`` keeps the title row in view)."""
        sheet = self._book.create_sheet(_SHEET_TITLE_BAD.sub("_", str(title))[:31] or "Sheet")
        for index, width in (widths or {}).items():
            sheet.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            sheet.freeze_panes = freeze
        if hidden:
            sheet.sheet_state = "hidden"
        return XlsxSheet(sheet)

    def save(self, out: IO[bytes]) -> None:
        self._book.save(out)


# --------------------------------------------------------------------------------------------- CSV


def _csv_value(value: Any, as_text: bool = False) -> Any:
    if isinstance(value, Cell):
        value = value.value
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        value = neutralise(value)
        if as_text and value[:1].isdigit():
            # a long digit string (ID number, phone) stays text in Excel, not 1.1E+17; the tab is
            # harmless here (only digits follow) and the importer strips it
            return "\t" + value
    return value


def _csv_row(values: Iterable[Any], text_columns: Collection[int]) -> list[Any]:
    return [_csv_value(v, i in text_columns) for i, v in enumerate(values)]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[Any], rows: Iterable[Iterable[Any]], *, text_columns: Collection[int] = (),
              bom: bool = True) -> Iterator[str]:
    """A CSV table as lines of text, for a ``StreamingHttpResponse``. *text_columns*: 0-based columns
    whose digit strings must stay text in Excel."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    yield writer.writerow(_csv_row(header, ()))
    for row in rows:
        yield writer.writerow(_csv_row(row, text_columns))


# --------------------------------------------------------------------------------------------- one table


class TableWriter:
    """One table — a title row and data rows — as xlsx or CSV to a binary stream.

    *header_style*: how the title cells look in xlsx (e.g. ``Cell(bold=True, fill="FDE9E7")``);
    *widths*/*freeze*: as :meth:`XlsxBook.sheet`; *text_columns*: 0-based columns whose digit strings
    stay text in a CSV opened by Excel.
    """

    def __init__(self, out: IO[bytes], fmt: str, header: Sequence[Any], *, title: str = "数据",
                 header_style: Cell | None = None, widths: Mapping[int, float] | None = None,
                 freeze: str | None = None, text_columns: Collection[int] = ()) -> None:
        if fmt not in (XLSX, CSV):
            raise ValueError(f"unknown spreadsheet format {fmt!r}")
        self.fmt = fmt
        self.out = out
        self.text_columns = frozenset(text_columns)
        if header_style is not None:
            header = [Cell(h, bold=header_style.bold, italic=header_style.italic, color=header_style.color,
                           fill=header_style.fill) for h in header]
        if fmt == XLSX:
            self.book = XlsxBook()
            self.sheet = self.book.sheet(title, widths=widths, freeze=freeze)
            self.sheet.append(header)
        else:
            self.writer = csv.writer(_Echo())
            self._write(BOM + self.writer.writerow(_csv_row(header, ())))

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def append(self, values: Iterable[Any]) -> None:
        if self.fmt == XLSX:
            self.sheet.append(values)
        else:
            self._write(self.writer.writerow(_csv_row(values, self.text_columns)))

    def close(self) -> None:
        if self.fmt == XLSX:
            self.book.save(self.out)
