"""The one import engine (web upload, background job and CLI alike).

1. open the table (:mod:`readers`), find each column by its title (:class:`columns.Mapping`);
2. read every row: normalise each cell (:mod:`cells`), hand the values to the kind's importer, which
   checks the row against its rules (and, in batches, against the register), collecting **every**
   error as :class:`RowError` ``{row, column, field, code, message}``;
3. only when no row has an error: write, inside the caller's transaction (``services.import_run``
   makes it one transaction with one audit entry). Kinds whose rules live in another app's service
   (orgs, applicants, dues bases) learn their remaining errors by running those services on the rows
   that passed so far, each row in a savepoint — on a dry run, or when any row failed, the whole
   transaction is then rolled back.

Progress is reported as ``progress(phase, processed, total)``; ``total`` is an estimate for xlsx files.
"""
from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.errors import DomainError
from dangjian.exchange.cells import (
    CellError,
    clean_ident,
    clean_text,
    clean_title,
    parse_bool,
    parse_date,
    parse_decimal,
)
from dangjian.exchange.choices import EXAMPLE_MARK
from dangjian.exchange.columns import Column, Mapping, T
from dangjian.exchange.errors import ExchangeError
from dangjian.exchange.readers import ImportLimitError, open_table

__all__ = ["ImportReport", "Importer", "Progress", "RowError", "Spool", "execute"]

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1000


def _no_progress(phase: str, processed: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class RowError:
    """One problem with one cell or row. ``row`` is the row number as Excel shows it (None: the file)."""

    row: int | None
    column: str
    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "code": str(self.code),
                "message": str(self.message)}

    def line(self) -> str:
        where = _("第%(n)s行") % {"n": self.row} if self.row else _("文件")
        column = f" [{self.column}]" if self.column else ""
        return f"{where}{column} {self.message}"


@dataclass
class ImportReport:
    kind: str
    mode: str
    dry_run: bool
    max_errors: int | None = None
    format: str = ""
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if self.max_errors is None or len(self.errors) < self.max_errors:
            self.errors.append(error)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": self.error_count}


class Spool:
    """Prepared rows kept between validating and writing: in memory up to a batch, then pickled to a
    temporary file, so a large file never sits in memory whole."""

    def __init__(self, batch: int = 5000) -> None:
        self.batch = batch
        self.buffer: list[Any] = []
        self.file: Any = None
        self.count = 0

    def append(self, item: Any) -> None:
        self.buffer.append(item)
        self.count += 1
        if len(self.buffer) >= self.batch:
            if self.file is None:
                self.file = tempfile.TemporaryFile()
            pickle.dump(self.buffer, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.buffer = []

    def batches(self) -> Iterator[list[Any]]:
        if self.file is not None:
            self.file.seek(0)
            while True:
                try:
                    yield pickle.load(self.file)
                except EOFError:
                    break
        if self.buffer:
            yield self.buffer

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        self.buffer = []


class Importer:
    """One kind of record. Subclasses set ``kind`` and implement :meth:`add_row` and :meth:`write`."""

    kind = ""
    #: the owning app's permission that limits the rows (in the actor's scope)
    perm = ""
    #: True when some rules are only checked by the owning app's service, so a dry run must write
    #: (inside a transaction that is then rolled back) to find every error.
    trial_writes = False

    def __init__(self, *, actor: Any, mapping: Mapping, mode: str, default_org: Any = None,
                 progress: Progress | None = None) -> None:
        self.actor = actor
        self.mapping = mapping
        self.mode = mode
        self.default_org = default_org
        self.today = timezone.localdate()
        self.progress = progress or _no_progress
        self.report: ImportReport | None = None
        self.present: dict[str, Column] = {}
        self.dry_run = True  # set by execute(); a dry run of a non-trial kind keeps nothing for writing

    # --- columns ----------------------------------------------------------------------------------
    def required_fields(self) -> list[tuple[str, ...]]:
        """Groups of fields of which at least one must be a column (e.g. ``("org", "org_name")``)."""
        return [(name,) for name, spec in self.mapping.by_field().items() if spec.required]

    def check_columns(self, present: dict[str, Column]) -> list[RowError]:
        errors = []
        columns = self.mapping.by_field()
        for group in self.required_fields():
            if not any(name in present for name in group):
                title = next((columns[n].title for n in group if n in columns), "") or self.standard_title(group[0])
                errors.append(RowError(None, title, group[0], ExchangeError.COLUMN_MISSING,
                                       _("缺少必需的列“%(t)s”") % {"t": title}))
        return errors

    def standard_title(self, field_name: str) -> str:
        from dangjian.exchange.columns import FIELDS

        spec = FIELDS[self.kind].get(field_name)
        return spec.title if spec else field_name

    def title(self, field_name: str | None) -> str:
        if not field_name:
            return ""
        col = self.present.get(field_name)
        if col is not None:
            return col.title
        if field_name == "org" and "org_name" in self.present:
            return self.present["org_name"].title
        return ""

    def error(self, row: int | None, field_name: str | None, code: str, message: str) -> RowError:
        return RowError(row, self.title(field_name), field_name, code, str(message))

    def domain_errors(self, row: int | None, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
        for e in exc.errors:
            name = (field_map or {}).get(e.field or "", e.field)
            self.add_error(self.error(row, name, e.code, e.message))

    def add_error(self, error: RowError) -> None:
        assert self.report is not None
        self.report.add(error)

    # --- rows -------------------------------------------------------------------------------------
    def start(self, total: int) -> None:
        """Called once the columns are known, before the first row."""

    def add_row(self, row: int, values: dict[str, Any], bad: set[str]) -> None:
        """*values*: the parsed value of every present column's field; *bad*: fields whose cell had an
        error (already reported)."""
        raise NotImplementedError

    def end_of_rows(self) -> None:
        """Called after the last row (flush batched checks)."""

    def write(self) -> None:
        """Writes the prepared rows (inside the caller's transaction); may report further errors."""
        raise NotImplementedError

    def close(self) -> None:
        """Releases temporary storage."""


def cell_parser(col: Column, today) -> Callable[[Any], Any]:
    """The function that turns a raw cell of *col* into its value (raising :class:`CellError`), chosen
    once per column rather than per cell."""
    kind = col.spec.type
    if kind == T.TEXT:
        return clean_text
    if kind == T.IDNUMBER:
        return lambda raw: clean_ident(raw).upper()
    if kind in (T.IDENT, T.LIST):
        return clean_ident
    if kind == T.DATE:
        def date(raw: Any) -> Any:
            value = parse_date(raw)
            if value is not None and value > today:
                raise CellError(ExchangeError.DATE_IN_FUTURE, _("日期不能晚于今天"))
            return value

        return date
    if kind == T.CHOICE:
        codes = col.codes
        last: dict[Any, str] = {}  # the same few labels repeat on every row

        def choice(raw: Any) -> str:
            value = last.get(raw)
            if value is not None:
                return value
            text = clean_title(raw)
            if not text:
                return ""
            value = codes.get(text) or codes.get(text.lower())
            if value is None:
                options = "、".join(col.options[:12])
                raise CellError(ExchangeError.CODE_UNKNOWN, _("“%(v)s”不在代码表中（可选：%(o)s）") % {
                    "v": clean_text(raw), "o": options})
            if len(last) < 256 and isinstance(raw, str):
                last[raw] = value
            return value

        return choice
    if kind == T.BOOL:
        return parse_bool
    if kind == T.DECIMAL:
        return parse_decimal
    return lambda raw: None  # pragma: no cover - DERIVED / NONE columns are not read


def execute(importer: Importer, data: bytes, file_name: str, *, dry_run: bool,
            max_errors: int | None = None) -> ImportReport:
    """Reads and checks every row of *data*; writes when there is no error and it is not a dry run
    (or, for ``trial_writes`` kinds, always — the caller rolls a dry run back)."""
    report = ImportReport(kind=importer.kind, mode=importer.mode, dry_run=dry_run, max_errors=max_errors)
    importer.report = report
    importer.dry_run = dry_run
    progress = importer.progress
    by_title = {clean_title(c.title): c for c in importer.mapping.columns}
    try:
        table = open_table(data, file_name, titles=frozenset(by_title))
    except CellError as exc:
        report.add(RowError(None, "", None, exc.code, exc.message))
        return report
    report.format, report.encoding = table.format, table.encoding
    positions: list[tuple[int, Column]] = []
    seen: dict[str, int] = {}
    for index, title in enumerate(table.header):
        key = clean_title(title)
        if not key:
            continue
        col = by_title.get(key)
        if col is None:
            continue  # a column this mapping does not know is ignored (e.g. 序号, 备注)
        if key in seen:
            report.add(RowError(table.header_row, col.title, col.field or None, ExchangeError.COLUMN_DUPLICATE,
                                _("列“%(t)s”出现了两次") % {"t": col.title}))
            continue
        seen[key] = index
        report.columns.append(col.title)
        if col.field and col.spec.type not in (T.DERIVED, T.NONE):
            positions.append((index, col))
    importer.present = {col.field: col for _i, col in positions}
    parsers = [(index, col.field, col.title, cell_parser(col, importer.today)) for index, col in positions]
    for err in importer.check_columns(importer.present):
        report.add(err)
    if not report.ok:
        return report
    total = table.total
    importer.start(total)
    progress("validate", 0, total)
    try:
        try:
            for row_no, cells in table.rows:
                first = next((c for c in cells if c not in (None, "")), "")
                if isinstance(first, str) and first.strip().startswith(EXAMPLE_MARK):
                    continue
                report.rows += 1
                values: dict[str, Any] = {}
                bad: set[str] = set()
                width = len(cells)
                for index, name, title, parse in parsers:
                    try:
                        values[name] = parse(cells[index] if index < width else None)
                    except CellError as exc:
                        bad.add(name)
                        report.add(RowError(row_no, title, name, exc.code, exc.message))
                importer.add_row(row_no, values, bad)
                if report.rows % PROGRESS_EVERY == 0:
                    progress("validate", report.rows, max(total, report.rows))
        except ImportLimitError as exc:  # over the row limit while streaming: a file error, nothing written
            report.add(RowError(None, "", None, exc.code, exc.message))
            return report
        importer.end_of_rows()
        progress("validate", report.rows, report.rows)
        if report.rows == 0 and report.ok:
            report.add(RowError(None, "", None, ExchangeError.FILE_EMPTY, _("文件中没有数据行")))
        if not importer.trial_writes and (dry_run or not report.ok):
            return report
        if report.rows == 0:
            return report
        # trial kinds write even when some rows already failed: the other rows' own errors are only
        # known by running the services, and the caller rolls the whole transaction back anyway
        progress("write", 0, report.rows)
        importer.write()
        progress("write", report.rows, report.rows)
        report.committed = report.ok and not dry_run
        return report
    finally:
        report.errors.sort(key=lambda e: e.row or 0)
        importer.close()
