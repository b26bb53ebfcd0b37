"""数据交换 (data exchange): Excel/CSV import, export and templates, including the column mapping of the
national member-management system (DOMAIN §10).

How it fits together:

- ``columns``: what each kind (members, orgs, applicants, dues bases) can exchange; a ``Mapping`` binds
  column titles and code-list labels to those fields — the standard template, or an ``ExchangeProfile``
  (the seeded 全国党员管理信息系统 mappings, or a unit's own edited copy). Import, export and templates
  all use the same mapping, so what goes out comes back in unchanged.
- ``engine`` + ``importers``: one engine for the web upload, the worker and the CLI. Every row is read
  and checked first, all errors collected as {row, column, field, code, message}; the write happens
  only when no row failed, in one transaction with one ``exchange.import`` audit entry
  (``services.import_run``). Members use the register's rules fast (``members.rules.MemberRules``, tested to
  agree with ``validate_member``, which still checks small files and a sample of large ones) and a
  batched insert; orgs, applicants and dues bases go through their own apps' services row by row.
- Import modes (``choices.ImportMode``): ``create`` (default) refuses a person / org code already in
  the register; ``upsert`` updates only the values that differ and leaves identical rows alone, so
  re-importing an unmasked export changes nothing.
- Progress: an ``ImportJob`` row keeps the uploaded file and ``processed``/``total``; files up to
  ``SYNC_MAX_BYTES`` run inside the request, larger ones in the django-tasks worker while the job page
  polls with HTMX. During the commit's transaction PostgreSQL reports progress through a second
  connection; SQLite (one writer) shows the write phase without a count. The CLI shows a rich bar.
"""
