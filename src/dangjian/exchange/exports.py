"""Writing lists out (.xlsx streamed with a write-only workbook, or .csv in UTF-8 with BOM for Excel) in
the layout of a :class:`~dangjian.exchange.columns.Mapping` — the same titles and code labels an
import reads back, so an export with unmasked values re-imports unchanged. Cells are written by the one
spreadsheet writer (:mod:`dangjian.core.spreadsheet`: formula-safe; its CSV quote is undone on import)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from dangjian.core.spreadsheet import Cell, TableWriter
from dangjian.exchange.columns import Column, Mapping, T

__all__ = ["cell_value", "write_table"]

DATE_FORMAT = "yyyy-mm-dd"
HEADER_STYLE = Cell(bold=True, fill="FDE9E7")


def cell_value(col: Column, value: Any) -> Any:
    """A platform value as the mapping writes it: code labels for coded fields, 是/否 for flags."""
    if value is None:
        return ""
    if col.spec.type in (T.CHOICE, T.DERIVED) and col.labels and not isinstance(value, bool):
        return col.labels.get(str(value), str(value))
    if isinstance(value, bool):
        return col.labels.get("true" if value else "false", "是" if value else "否")
    return value


def write_table(mapping: Mapping, fmt: str, out: IO[bytes], records: Iterable[Any],
                value_of: Callable[[Any, str], Any], *, csv_text_fields: tuple[str, ...] = ()) -> int:
    """Writes one row per record; ``value_of(record, field)`` gives each platform value. In CSV the
    *csv_text_fields* (long digit strings such as ID numbers) get a leading tab so that Excel keeps
    them as text; the importer strips it again."""
    columns = list(mapping.columns)
    writer = TableWriter(
        out, fmt, [c.title for c in columns], header_style=HEADER_STYLE, freeze="A2",
        widths={i: max(c.spec.width or 12, len(c.title) * 2 + 2) for i, c in enumerate(columns, start=1)},
        text_columns={i for i, c in enumerate(columns) if c.field in csv_text_fields},
    )
    count = 0
    for record in records:
        writer.append([_dated(cell_value(col, value_of(record, col.field))) if col.field else "" for col in columns])
        count += 1
    writer.close()
    return count


def _dated(value: Any) -> Any:
    return Cell(value, number_format=DATE_FORMAT) if isinstance(value, dt.date) else value


def chunked(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
