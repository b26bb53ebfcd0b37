"""数据交换 (data exchange): Excel/CSV import, export and templates, including the column mapping of the
national member-management system (DOMAIN §10)."""
