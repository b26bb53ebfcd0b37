"""Writing lists out (.xlsx streamed with a write-only workbook, or .csv in UTF-8 with BOM for Excel) in
the layout of a :class:`~dangjian.exchange.columns.Mapping` — the same titles and code labels an
import reads back, so an export with unmasked values re-imports unchanged."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from dangjian.exchange.columns import Column, Mapping, T

__all__ = ["TableWriter", "cell_value", "write_table"]

DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = PatternFill("solid", fgColor="FDE9E7")


def cell_value(col: Column, value: Any) -> Any:
    """A platform value as the mapping writes it: code labels for coded fields, 是/否 for flags."""
    if value is None:
        return ""
    if col.spec.type in (T.CHOICE, T.DERIVED) and col.labels and not isinstance(value, bool):
        return col.labels.get(str(value), str(value))
    if isinstance(value, bool):
        return col.labels.get("true" if value else "false", "是" if value else "否")
    return value


class TableWriter:
    """Rows of one mapping to an xlsx (write-only, constant memory) or CSV stream."""

    def __init__(self, mapping: Mapping, fmt: str, out: IO[bytes], *, sheet_title: str = "数据") -> None:
        self.mapping = mapping
        self.fmt = fmt
        self.out = out
        if fmt == "xlsx":
            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet(sheet_title)
            self.sheet.freeze_panes = "A2"
            for index, col in enumerate(mapping.columns, start=1):
                from openpyxl.utils import get_column_letter

                self.sheet.column_dimensions[get_column_letter(index)].width = max(col.spec.width or 12,
                                                                                   len(col.title) * 2 + 2)
            header = []
            for col in mapping.columns:
                cell = WriteOnlyCell(self.sheet, value=col.title)
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
                header.append(cell)
            self.sheet.append(header)
        else:
            self.text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
            self.csv = csv.writer(self.text)
            self.csv.writerow([c.title for c in mapping.columns])

    def append(self, values: list[Any]) -> None:
        if self.fmt == "xlsx":
            row = []
            for value in values:
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(self.sheet, value=value)
                    cell.number_format = DATE_FORMAT
                    row.append(cell)
                elif isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(self.sheet, value=value)
                    cell.data_type = "s"  # text typed by a person, never a formula Excel would run
                    row.append(cell)
                else:
                    row.append(value)
            self.sheet.append(row)
        else:
            self.csv.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in values])

    def close(self) -> None:
        if self.fmt == "xlsx":
            self.workbook.save(self.out)
        else:
            self.text.flush()
            self.text.detach()


def write_table(mapping: Mapping, fmt: str, out: IO[bytes], records: Iterable[Any],
                value_of: Callable[[Any, str], Any], *, csv_text_fields: tuple[str, ...] = ()) -> int:
    """Writes one row per record; ``value_of(record, field)`` gives each platform value. In CSV the
    *csv_text_fields* (long digit strings such as ID numbers) get a leading tab so that Excel keeps
    them as text; the importer strips it again."""
    writer = TableWriter(mapping, fmt, out)
    count = 0
    for record in records:
        row = []
        for col in mapping.columns:
            value = cell_value(col, value_of(record, col.field)) if col.field else ""
            if fmt == "csv" and col.field in csv_text_fields and value and str(value)[:1].isdigit():
                value = "\t" + str(value)
            row.append(value)
        writer.append(row)
        count += 1
    writer.close()
    return count


def chunked(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
