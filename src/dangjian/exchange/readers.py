"""Reading an uploaded table: .xlsx (openpyxl read-only, streamed row by row) or .csv (UTF-8 with or
without BOM, else GB18030 — what Excel on a Chinese Windows saves as "CSV")."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dangjian.core.spreadsheet import restore
from dangjian.exchange.cells import CellError
from dangjian.exchange.choices import IMPORT_MAX_COLUMNS, IMPORT_MAX_ROWS, IMPORT_MAX_UNCOMPRESSED_BYTES
from dangjian.exchange.errors import ExchangeError

__all__ = ["ImportLimitError", "Table", "check_xlsx_size", "decode_csv", "import_limits", "open_table", "table_format"]

_HEADER_SEARCH_ROWS = 10


@dataclass
class Table:
    format: str                        # "xlsx" or "csv"
    header: list[Any]                  # the titles as written
    header_row: int                    # 1-based row number of the titles
    rows: Iterator[tuple[int, list[Any]]]  # (row number as Excel shows it, cell values), blank rows skipped
    total: int                         # data rows (an estimate for xlsx files without a dimension)
    encoding: str = ""


class ImportLimitError(CellError):
    """The file is over an import limit (issue 7, defect 7): reported as a file error, nothing written."""


def import_limits() -> tuple[int, int]:
    """(max data rows, max uncompressed bytes) from settings, with the defaults of ``choices``."""
    return (int(getattr(settings, "DANGJIAN_IMPORT_MAX_ROWS", IMPORT_MAX_ROWS)),
            int(getattr(settings, "DANGJIAN_IMPORT_MAX_UNCOMPRESSED_BYTES", IMPORT_MAX_UNCOMPRESSED_BYTES)))


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.3g}"


def _too_big(size: int, limit: int) -> ImportLimitError:
    return ImportLimitError(ExchangeError.FILE_TOO_LARGE,
                            _("文件解压后约 %(size)s MB，超过导入上限 %(limit)s MB；请拆分为多个文件后分别导入")
                            % {"size": _mb(size), "limit": _mb(limit)})


def _too_many_rows(limit: int) -> ImportLimitError:
    return ImportLimitError(ExchangeError.TOO_MANY_ROWS,
                            _("文件超过导入上限 %(limit)s 行；请拆分为多个文件后分别导入") % {"limit": f"{limit:,}"})


def check_xlsx_size(data: bytes, limit: int) -> None:
    """Refuses a workbook whose members declare more than *limit* bytes uncompressed, before anything
    is decompressed. (Python's zipfile never inflates a member past its declared size, and fails on a
    CRC mismatch, so the declared sizes bound what openpyxl can read.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CellError(ExchangeError.FILE_UNREADABLE, _("无法读取该 Excel 文件：%(e)s") % {"e": type(exc).__name__})
    if declared > limit:
        raise _too_big(declared, limit)


def _capped(rows: Iterator[tuple[int, list[Any]]], limit: int) -> Iterator[tuple[int, list[Any]]]:
    """The data rows, refusing the file once it passes *limit* rows (checked while streaming, since
    an xlsx's dimension may be missing or false)."""
    count = 0
    for item in rows:
        count += 1
        if count > limit:
            raise _too_many_rows(limit)
        yield item


def table_format(data: bytes, file_name: str = "") -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise CellError(ExchangeError.FILE_TYPE, _("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV"))
    return "csv"


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding used: UTF-8 (BOM or not), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise CellError(ExchangeError.FILE_UNREADABLE, _("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV"))


def _blank(cells: list[Any] | tuple[Any, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip(" \u3000\t\r\n")) for c in cells)


def _split(rows: Iterator[tuple[int, list[Any]]], titles: frozenset[str] = frozenset()
           ) -> tuple[int, list[Any], Iterator[tuple[int, list[Any]]]]:
    """The title row and the rows after it. Without *titles*: the first filled row. With them: among
    the first filled rows, the first that holds at least two known titles — organisation departments'
    templates often start with a merged caption row ("党员信息采集表") above the titles."""
    from dangjian.exchange.cells import clean_title

    first: tuple[int, list[Any]] | None = None
    seen: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        if _blank(cells):
            if number >= _HEADER_SEARCH_ROWS:
                break
            continue
        if first is None:
            first = (number, list(cells))
            if not titles:
                return number, first[1], rows
        seen.append((number, list(cells)))
        if sum(1 for c in cells if c is not None and clean_title(c) in titles) >= min(2, len(titles)):
            return number, list(cells), rows
        if len(seen) >= _HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise CellError(ExchangeError.FILE_EMPTY, _("文件中没有找到标题行"))
    # no row looks like the titles: take the first filled one (its missing columns are reported), and
    # give back the rows read past it
    number, header = first
    rest = [item for item in seen if item[0] > number]
    return number, header, _chain(rest, rows)


def _chain(head: list[tuple[int, list[Any]]], rows: Iterator[tuple[int, list[Any]]]
           ) -> Iterator[tuple[int, list[Any]]]:
    yield from head
    yield from rows


def _data_rows(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in rows:
        if not _blank(cells):
            yield number, cells


def _open_xlsx(data: bytes, titles: frozenset[str], max_rows: int, max_bytes: int) -> Table:
    from openpyxl import load_workbook

    check_xlsx_size(data, max_bytes)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or password-protected workbook
        raise CellError(ExchangeError.FILE_UNREADABLE, _("无法读取该 Excel 文件：%(e)s") % {"e": type(exc).__name__})
    sheet = next((ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"),
                 workbook.worksheets[0])
    if (sheet.max_column or 0) > IMPORT_MAX_COLUMNS:
        sheet.reset_dimensions()
    numbered = ((n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1))
    header_row, header, rest = _split(numbered, titles)
    total = max(0, (sheet.max_row or 0) - header_row)
    if total > max_rows:
        workbook.close()
        raise _too_many_rows(max_rows)
    return Table("xlsx", header, header_row, _closing(workbook, _capped(_data_rows(rest), max_rows)), total)


def _closing(workbook: Any, rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from rows
    finally:
        workbook.close()


def _open_csv(data: bytes, titles: frozenset[str], max_rows: int, max_bytes: int) -> Table:
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    text, encoding = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # a text cell the platform's writer quoted against formula injection ("'=…") reads back as written
    numbered = ((reader.line_num, [restore(c) for c in row]) for row in reader)
    header_row, header, rest = _split(numbered, titles)
    total = max(0, text.count("\n") - header_row + (0 if text.endswith("\n") else 1))
    return Table("csv", header, header_row, _capped(_data_rows(rest), max_rows), total, encoding)


def open_table(data: bytes, file_name: str = "", titles: frozenset[str] = frozenset()) -> Table:
    """The first visible sheet of a workbook, or the CSV table; *titles* (cleaned) help find the title
    row below a caption. Raises :class:`CellError` when unreadable, :class:`ImportLimitError` when
    over the import limits (:func:`import_limits`) — up front where the file says so, else while its
    rows are read. Every import, in the request or in the worker, opens its file here."""
    if not data:
        raise CellError(ExchangeError.FILE_EMPTY, _("文件是空的"))
    max_rows, max_bytes = import_limits()
    if table_format(data, file_name) == "xlsx":
        return _open_xlsx(data, titles, max_rows, max_bytes)
    return _open_csv(data, titles, max_rows, max_bytes)
