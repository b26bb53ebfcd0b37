"""Exchange pages: upload → dry-run preview with every error → commit; templates; exports; mappings."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.exchange.models import ExchangeProfile, ImportJob
from dangjian.exchange.tests.helpers import MEMBER_HEADER, csv_bytes, member_row, xlsx_bytes
from dangjian.members.models import Member
from tests.fixtures import signin as _signin

pytestmark = pytest.mark.django_db




@pytest.fixture
def worker(client, tree, user_factory):
    return _signin(client, user_factory("w", "party_worker", tree["A1"], scope="org"))


def _upload(client, data: bytes, name: str = "党员.xlsx", **fields):
    post = {"kind": "members", "mode": "create", "profile": "", "org_code": "", **fields,
            "file": SimpleUploadedFile(name, data)}
    return client.post(reverse("exchange:upload"), post)


def test_index_shows_the_upload_form_and_templates(client, worker):
    response = client.get(reverse("exchange:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "上传并预检" in html
    assert reverse("exchange:template", args=["members"]) in html
    assert "全国党员管理信息系统" in html


def test_upload_with_errors_shows_every_error_and_writes_nothing(client, worker):
    # given
    rows = [member_row(1), member_row(2, 公民身份号码="110101199001010010"), member_row(3, 所在党支部代码="B1")]
    before = (Member.objects.count(), AuditEntry.objects.count())
    # when
    response = _upload(client, xlsx_bytes(MEMBER_HEADER, rows))
    # then
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exchange:job", args=[job.pk])
    assert (job.status, job.error_count) == ("rejected", 2)
    html = client.get(response["Location"]).content.decode()
    assert 'data-error-row="3"' in html and 'data-error-row="4"' in html
    assert "第3行" in html and "公民身份号码" in html and "身份证号码校验位错误" in html
    assert "未找到组织代码“B1”" in html
    assert "data-commit" not in html
    assert (Member.objects.count(), AuditEntry.objects.count()) == before
    # and the commit of a rejected job is refused
    response = client.post(reverse("exchange:job_commit", args=[job.pk]))
    assert response.status_code == 302
    assert Member.objects.count() == before[0]


def test_preview_then_commit(client, worker):
    response = _upload(client, csv_bytes(MEMBER_HEADER, [member_row(1), member_row(2)]), name="members.csv")
    job = ImportJob.objects.get()
    assert job.status == "validated"
    assert Member.objects.count() == 0
    html = client.get(response["Location"]).content.decode()
    assert "data-commit" in html
    response = client.post(reverse("exchange:job_commit", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.counts["created"]) == ("committed", 2)
    assert Member.objects.count() == 2
    assert AuditEntry.objects.filter(action="exchange.import", actor_id=worker.pk).count() == 1
    # committing twice does nothing more
    client.post(reverse("exchange:job_commit", args=[job.pk]))
    assert Member.objects.count() == 2


@override_settings(DANGJIAN_EXCHANGE_SYNC_BYTES=10)
def test_large_files_run_as_a_task_and_the_page_polls_progress(client, worker):
    # the test settings run django-tasks immediately; the path is the worker's
    _upload(client, csv_bytes(MEMBER_HEADER, [member_row(1)]), name="members.csv")
    job = ImportJob.objects.get()
    assert job.status == "validated"
    response = client.get(reverse("exchange:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_upload_refuses_a_default_org_outside_the_scope(client, worker):
    response = _upload(client, csv_bytes(MEMBER_HEADER, [member_row(1)]), name="m.csv", org_code="B1")
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


def test_someone_elses_job_is_not_found(client, worker, tree, user_factory):
    from dangjian.exchange.services import job_create

    other = user_factory("other", "party_worker", tree["A1"], scope="org")
    job = job_create(actor=other, kind="members", mode="create", file_name="x.csv", data=b"a")
    assert client.get(reverse("exchange:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("exchange:job_commit", args=[job.pk])).status_code == 404


def test_template_download_is_a_workbook_with_the_actors_branch_codes(client, worker):
    response = client.get(reverse("exchange:template", args=["members"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = wb["数据"]
    column = next(c.column_letter for c in sheet[1] if c.value == "所在党支部代码")
    formulas = [dv.formula1 for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith(column + "2")]
    assert formulas == ['"A1"']


def test_export_members_masks_by_default(client, tree, member_factory, worker):
    member = member_factory("A1")
    member_factory("B1", name="乙支部党员")
    response = client.get(reverse("exchange:export_members"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert member.name in text and "乙支部党员" not in text
    assert member.id_number not in text and member.id_number_masked in text
    assert AuditEntry.objects.filter(action="exchange.export").count() == 1


def test_export_of_another_branch_is_not_found(client, tree, worker):
    assert client.get(reverse("exchange:export_members"), {"org": "B1"}).status_code == 404
    assert client.get(reverse("exchange:export_orgs"), {"org": "B"}).status_code == 404


def test_profile_edit_needs_an_all_scope_grant_for_the_platform_mapping(client, tree, worker):
    profile = ExchangeProfile.objects.get(code="national-members")
    form = {"name": profile.name, "reason": ""}
    for n, col in enumerate(profile.columns):
        form[f"title_{n}"] = col["title"] + ("（新）" if n == 0 else "")
        if col["required"]:
            form[f"required_{n}"] = "on"
    response = client.post(reverse("exchange:profile", args=[profile.pk]), form)
    assert response.status_code == 400
    assert "复制为本单位方案" in response.content.decode()
    # a copy for the worker's branch is theirs to edit
    response = client.post(reverse("exchange:profile_copy", args=[profile.pk]), {"org_code": "A1"})
    copy = ExchangeProfile.objects.get(org=tree["A1"])
    assert response["Location"] == reverse("exchange:profile", args=[copy.pk])
    response = client.post(reverse("exchange:profile", args=[copy.pk]), form)
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.columns[0]["title"] == "姓名（新）"
    assert ExchangeProfile.objects.get(code="national-members").columns[0]["title"] == "姓名"


def test_member_list_links_to_the_export_with_its_filters(client, tree, member_factory, worker):
    member_factory("A1")
    html = client.get(reverse("members:list"), {"q": "党员", "status": "normal", "f": "1"}).content.decode()
    assert 'href="/exchange/export/members/?q=%E5%85%9A%E5%91%98&amp;status=normal&amp;f=1"' in html
    response = client.get("/exchange/export/members/", {"q": "党员", "status": "normal", "f": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_export_subtree_follows_the_member_list_filter(client, tree, user_factory, member_factory):
    _signin(client, user_factory("s", "committee_secretary", tree["A"], scope="subtree"))
    member_factory("A1", name="支部党员")
    for query, expected in (({"org": "A"}, True), ({"org": "A", "f": "1"}, False),
                            ({"org": "A", "f": "1", "subtree": "on"}, True)):
        text = b"".join(client.get(reverse("exchange:export_members"), {**query, "format": "csv"})
                        .streaming_content).decode("utf-8-sig")
        assert ("支部党员" in text) is expected, query


def test_old_uploads_are_purged_but_reports_stay(tree, worker):
    import datetime as dt

    from django.utils import timezone

    from dangjian.exchange.services import job_create, jobs_purge_files

    old = job_create(actor=worker, kind="members", mode="create", file_name="old.csv", data=b"abc")
    new = job_create(actor=worker, kind="members", mode="create", file_name="new.csv", data=b"abc")
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert jobs_purge_files() == 1
    assert [bytes(j.data) for j in ImportJob.objects.order_by("pk")] == [b"", b"abc"]
    assert new.pk
