"""Import limits (issue 7, defect 7): decompressed size checked before parsing, rows capped, in the
request and in the worker alike, with a message that names the limit."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.exchange.models import ImportJob
from dangjian.exchange.readers import ImportLimitError, open_table
from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row, xlsx_bytes
from dangjian.members.models import Member

HEADER = ["姓名", "民族"]


def _rows(n: int) -> list[list[str]]:
    return [[f"张{i}", "汉族"] for i in range(n)]


def _bomb(size: int) -> bytes:
    """A valid workbook plus one member of *size* zero bytes: tiny compressed, big declared."""
    out = io.BytesIO(xlsx_bytes(HEADER, _rows(2)))
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * size)
    return out.getvalue()


def _without_dimension(data: bytes) -> bytes:
    """The workbook without its sheet's dimension (optional in the format): rows are only known by
    reading them."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", body)
            dst.writestr(info.filename, body)
    return out.getvalue()


@override_settings(DANGJIAN_IMPORT_MAX_UNCOMPRESSED_BYTES=1024 * 1024)
def test_an_xlsx_declaring_more_than_the_limit_uncompressed_is_refused_before_parsing(monkeypatch):
    # given: 2 MB of zeros compress to a few KB
    data = _bomb(2 * 1024 * 1024)
    assert len(data) < 50_000
    opened = []
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    # when
    with pytest.raises(ImportLimitError) as info:
        open_table(data, "x.xlsx")
    # then: openpyxl was never asked to open it
    assert info.value.code == "exchange.file_too_large"
    assert "超过导入上限 1 MB" in info.value.message
    assert opened == []


@override_settings(DANGJIAN_IMPORT_MAX_ROWS=3)
@pytest.mark.parametrize(("_case", "data", "name"), [
    ("xlsx with its dimension", xlsx_bytes(HEADER, _rows(5)), "x.xlsx"),
    ("xlsx without a dimension", _without_dimension(xlsx_bytes(HEADER, _rows(5))), "x.xlsx"),
    ("csv", csv_bytes(HEADER, _rows(5)), "x.csv"),
])
def test_more_rows_than_the_limit_are_refused(_case, data, name):
    with pytest.raises(ImportLimitError) as info:
        table = open_table(data, name)
        list(table.rows)
    assert info.value.code == "exchange.too_many_rows"
    assert "超过导入上限 3 行" in info.value.message


@override_settings(DANGJIAN_IMPORT_MAX_ROWS=3)
def test_rows_up_to_the_limit_are_read():
    table = open_table(xlsx_bytes(HEADER, _rows(3)), "x.xlsx")
    assert len(list(table.rows)) == 3


def _signin(client, user):
    from dangjian.api.tests.fixtures import login_session

    return login_session(client, user)


def _upload(client, data: bytes, name: str):
    post = {"kind": "members", "mode": "create", "profile": "", "org_code": "", "file": SimpleUploadedFile(name, data)}
    return client.post(reverse("exchange:upload"), post)


@pytest.mark.django_db
@pytest.mark.parametrize(("_case", "sync_bytes"), [("in the request", 512 * 1024), ("in the worker", 10)])
@override_settings(DANGJIAN_IMPORT_MAX_ROWS=2)
def test_an_upload_over_the_row_limit_is_rejected_with_the_limit_named(client, tree, user_factory, _case,
                                                                        sync_bytes):
    # given
    _signin(client, user_factory("w", "party_worker", tree["A1"], scope="org"))
    before = (Member.objects.count(), AuditEntry.objects.count())
    # when
    with override_settings(DANGJIAN_EXCHANGE_SYNC_BYTES=sync_bytes):
        response = _upload(client, csv_bytes(MEMBER_HEADER, [member_row(i) for i in range(1, 4)]), "m.csv")
    # then
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == "rejected"
    assert [e["code"] for e in job.errors] == ["exchange.too_many_rows"]
    html = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert "文件超过导入上限 2 行" in html
    assert Member.objects.count() == before[0]


@pytest.mark.django_db
@override_settings(DANGJIAN_IMPORT_MAX_UNCOMPRESSED_BYTES=1024 * 1024)
def test_an_xlsx_bomb_upload_is_rejected_with_the_limit_named(client, tree, user_factory):
    _signin(client, user_factory("w", "party_worker", tree["A1"], scope="org"))
    data = io.BytesIO(xlsx_bytes(MEMBER_HEADER, [member_row(1)]))
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
    _upload(client, data.getvalue(), "m.xlsx")
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    assert [e["code"] for e in job.errors] == ["exchange.file_too_large"]
    assert "超过导入上限 1 MB" in client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert Member.objects.count() == 0


@override_settings(DANGJIAN_IMPORT_MAX_ROWS=3)
def test_the_limit_message_has_an_english_translation():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ImportLimitError) as info:
        list(open_table(csv_bytes(HEADER, _rows(5)), "x.csv").rows)
    assert info.value.message == ("The file has more rows than the import limit of 3; split it into several files "
                                  "and import them one by one.")
