"""Exports: scope and masking, an audit entry, and the round trip — an unmasked export re-imports
cleanly and changes nothing (standard layout, the national mapping, CSV and xlsx, orgs)."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.exchange.columns import Mapping
from dangjian.exchange.models import ExchangeProfile
from dangjian.exchange.services import export_members, export_orgs, import_run
from dangjian.members.models import Member
from dangjian.members.services import member_update
from dangjian.orgs.models import Organization
from dangjian.orgs.services import unit_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(tree, member_factory):
    unit = unit_create(actor=None, parent=None, name="甲公司", code="U-A", unit_type="company")
    members = [member_factory("A1", job_title="技术员（兼）"), member_factory("A1", phone=""), member_factory("A2"),
               member_factory("B1")]
    member_update(actor=None, member=members[0], unit=unit, party_group=tree["A1G1"], education="master",
                  status="mobile")
    member_update(actor=None, member=members[1], category="probationary", full_member_on=None, status="lost")
    return members


def _xlsx_rows(data: bytes):
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _snapshot():
    return list(Member.objects.order_by("pk").values_list(
        "name", "gender", "ethnicity", "birth_date", "id_number_bidx", "phone_bidx", "education", "job_title",
        "unit_id", "hire_date", "category", "joined_on", "full_member_on", "org_id", "party_group_id", "status",
        "updated_at"))


def test_export_masks_and_respects_scope(register, tree, user_factory):
    worker = user_factory("w", "party_worker", tree["A"], scope="subtree")
    out = io.BytesIO()
    counts = export_members(actor=worker, out=out, fmt="xlsx", unmasked=True)
    rows = _xlsx_rows(out.getvalue())
    ids = [r[4] for r in rows[1:]]
    assert counts == {"count": 3, "revealed": 0}  # party_worker holds no members.reveal
    assert ids == [m.id_number_masked for m in register[:3]]
    assert all(m.id_number not in str(rows) for m in register)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id, entry.after["count"], entry.after["revealed"]) == (
        "exchange.export", worker.pk, 3, 0)


def test_unmasked_export_only_where_the_exporter_may_reveal(register, tree, user_factory):
    secretary = user_factory("s", "committee_secretary", tree["A"], scope="subtree")
    out = io.BytesIO()
    counts = export_members(actor=secretary, out=out, fmt="csv", unmasked=True)
    text = out.getvalue().decode("utf-8-sig")
    assert counts == {"count": 3, "revealed": 3}
    assert register[0].id_number in text and register[0].phone in text
    assert register[3].name not in text
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.after["unmasked"], entry.after["revealed"]) == ("exchange.export", True, 3)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("profile_code", [None, "national-members"])
def test_round_trip_changes_nothing(register, fmt, profile_code):
    # given: the whole register exported unmasked (the system may reveal everything)
    mapping = None
    if profile_code:
        profile = ExchangeProfile.objects.get(code=profile_code)
        mapping = Mapping("members", profile.columns, name=profile.name)
    out = io.BytesIO()
    export_members(actor=None, out=out, fmt=fmt, mapping=mapping, unmasked=True)
    before, audit = _snapshot(), AuditEntry.objects.count()
    # when: it is imported again, as a dry run and as an upsert commit
    preview = import_run(actor=None, kind="members", data=out.getvalue(), file_name=f"x.{fmt}", mapping=mapping,
                         mode="upsert")
    report = import_run(actor=None, kind="members", data=out.getvalue(), file_name=f"x.{fmt}", mapping=mapping,
                        mode="upsert", dry_run=False)
    # then: every row is recognised and nothing differs
    for r in (preview, report):
        assert r.ok, r.errors
        assert (r.rows, r.created, r.updated, r.unchanged) == (4, 0, 0, 4)
    assert _snapshot() == before
    assert AuditEntry.objects.count() == audit + 1  # the import's own entry only


def test_masked_export_does_not_re_import_as_data(register):
    out = io.BytesIO()
    export_members(actor=None, out=out, fmt="csv", unmasked=False)
    report = import_run(actor=None, kind="members", data=out.getvalue(), file_name="x.csv", mode="upsert")
    assert {e.code for e in report.errors} >= {"id_number.charset"}


def test_orgs_round_trip(tree):
    for profile_code in (None, "national-orgs"):
        mapping = None
        if profile_code:
            profile = ExchangeProfile.objects.get(code=profile_code)
            mapping = Mapping("orgs", profile.columns, name=profile.name)
        out = io.BytesIO()
        export_orgs(actor=None, out=out, fmt="csv", mapping=mapping)
        rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
        assert len(rows) == 8
        before = list(Organization.objects.order_by("pk").values_list("code", "name", "path", "updated_at"))
        report = import_run(actor=None, kind="orgs", data=out.getvalue(), file_name="o.csv", mapping=mapping,
                            mode="upsert", dry_run=False)
        assert report.ok, report.errors
        assert (report.created, report.updated, report.unchanged) == (0, 0, 7)
        assert list(Organization.objects.order_by("pk").values_list("code", "name", "path", "updated_at")) == before


def test_national_export_derives_the_flags_and_leaves_unstored_items_blank(register):
    profile = ExchangeProfile.objects.get(code="national-members")
    out = io.BytesIO()
    export_members(actor=None, out=out, fmt="xlsx", mapping=Mapping("members", profile.columns), unmasked=True)
    rows = _xlsx_rows(out.getvalue())
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    second = dict(zip(header, rows[2], strict=True))
    assert (first["党籍状态"], first["是否为流动党员"], first["是否为失联党员"]) == ("流动", "是", "否")
    assert (second["人员类别"], second["是否为失联党员"], second["转正时间"]) == ("预备党员", "是", None)
    assert first["所在党支部"] == "甲一支部" and first["家庭住址"] is None


def test_text_that_looks_like_a_formula_is_exported_as_text(tree, member_factory):
    member_factory("A1", job_title="=1+1")
    out = io.BytesIO()
    export_members(actor=None, out=out, fmt="xlsx", unmasked=True)
    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    cell = next(c for c in sheet[2] if c.value == "=1+1")
    assert cell.data_type == "s"
    report = import_run(actor=None, kind="members", data=out.getvalue(), file_name="x.xlsx", mode="upsert")
    assert (report.ok, report.unchanged) == (True, 1)


@pytest.mark.parametrize("payload", ["=1+1", "+86 138", "-1", "@SUM(1)"])
def test_csv_quotes_formula_text_and_the_import_reads_it_back(tree, member_factory, payload):
    # given: a job title a spreadsheet would take for a formula
    member_factory("A1", job_title=payload)
    out = io.BytesIO()
    # when: exported as CSV (issue 7: formula injection) and imported again
    export_members(actor=None, out=out, fmt="csv", unmasked=True)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    report = import_run(actor=None, kind="members", data=out.getvalue(), file_name="x.csv", mode="upsert")
    # then: the cell leaves with OWASP's leading quote, and the round trip still changes nothing
    assert rows[1][rows[0].index("职务/岗位")] == "'" + payload
    assert (report.ok, report.unchanged) == (True, 1)
