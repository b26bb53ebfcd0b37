"""``audit.verify``'s fast path hashes exactly the bytes ``services.canonical_bytes`` builds, for
every kind of content the log holds (the demo build writes a lot of it; the bench verifies 200k)."""
import pytest

from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditEntry
from dangjian.audit.services import HASHED_FIELDS, canonical_bytes, record
from dangjian.audit.verify import _FIELDS, _Reader, verify_chain
from dangjian.core.context import RequestContext, use_context

PAYLOADS = [
    None,
    {},
    {"name": "张三", "emoji": "党建🚩", "quote": 'say "hi"\\ \n\t\x01', "zero": 0, "neg": -7},
    {"float": 0.1, "big": 2**70, "exp": 1e-7, "bool": True, "none": None},
    {"nested": {"b": [1, {"z": 1, "a": 2}], "a": {"y": None}}, "list": [3, 2, 1], "é": "ü"},
    {"z": 1, "a": 2, "M": 3, "_": 4, "10": 5, "9": 6},
]


@pytest.mark.django_db
def test_fast_canonical_bytes_equal_the_reference_for_every_kind_of_content():
    for i, payload in enumerate(PAYLOADS):
        ip = [None, "10.0.0.1", "2001:db8::1"][i % 3]
        with use_context(RequestContext(channel=["web", "api", "cli"][i % 3], ip=ip)):
            record(actor=None, actor_name=f"用户{i}", action=AuditAction.MEMBER_UPDATED, org_path="0001" * (i % 3),
                   before=payload, after={"i": i, "payload": payload}, reason="理由" * i)
    reader = _Reader(100)
    rows = list(reader.rows())
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        values = AuditEntry.objects.values(*HASHED_FIELDS).get(seq=row[0])
        if values["ip"] is not None:
            values["ip"] = str(values["ip"])
        assert reader.canonical(row).decode() == canonical_bytes(values).decode()
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_reader_selects_every_hashed_field():
    assert _FIELDS[:-1] == HASHED_FIELDS and _FIELDS[-1] == "hash"


@pytest.mark.django_db
@pytest.mark.parametrize("stored_case", ["other_time", "no_fraction", "garbage"])
def test_tampered_timestamp_is_found_not_crashed(stored_case):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores a timestamp as free text")
    for i in range(3):
        record(actor=None, action=AuditAction.ORG_UPDATED, org_path="0001", after={"i": i})
    value = {"other_time": "2020-01-01 00:00:00.000001", "no_fraction": "2020-01-01 00:00:00",
             "garbage": "yesterday"}[stored_case]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET created_at = %s WHERE seq = 2", [value])
    result = verify_chain()
    assert not result.ok and result.bad_seq == 2
