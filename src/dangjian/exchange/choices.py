"""Choices and defaults of data exchange (数据交换)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ERRORS_SHOWN",
    "EXAMPLE_MARK",
    "IMPORT_MAX_COLUMNS",
    "IMPORT_MAX_ROWS",
    "IMPORT_MAX_UNCOMPRESSED_BYTES",
    "SAMPLE_EVERY",
    "STRICT_ROWS",
    "SYNC_MAX_BYTES",
    "ExchangePerm",
    "ImportKind",
    "ImportMode",
    "JobStatus",
]


class ExchangePerm:
    IMPORT = "exchange.import"  # upload and commit imports; edit the unit's column mappings
    EXPORT = "exchange.export"  # export lists (masked; unmasked needs members.reveal as well)


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("党员")
    ORGS = "orgs", _("党组织")
    APPLICANTS = "applicants", _("入党申请人")
    DUES_BASES = "dues_bases", _("党费基数")


class ImportMode(models.TextChoices):
    """What a row whose person/org already exists means.

    - ``create``: only new rows; an existing ID number / org code is an error (the default: a file of
      new members never silently changes the register).
    - ``upsert``: rows matched by ID number (members) or org code (orgs) update the register where a
      value differs and are left alone where nothing differs, so re-importing an export changes nothing.
    """

    CREATE = "create", _("仅新增（已存在的人员或组织报错）")
    UPSERT = "upsert", _("新增或更新（按身份证号码/组织代码匹配）")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    VALIDATED = "validated", _("校验通过，待提交")
    REJECTED = "rejected", _("有错误，未导入")
    COMMITTING = "committing", _("正在导入")
    COMMITTED = "committed", _("已导入")
    FAILED = "failed", _("处理失败")


# A row whose first filled cell starts with this is the template's example and is skipped.
EXAMPLE_MARK = "【示例】"
# Files up to this size are checked and committed inside the web request; larger ones go to the
# django-tasks worker and the page polls the job's progress (settings.DANGJIAN_EXCHANGE_SYNC_BYTES).
SYNC_MAX_BYTES = 512 * 1024
# Import limits (issue 7, defect 7), for the request and the worker alike; the settings
# DANGJIAN_IMPORT_MAX_ROWS / DANGJIAN_IMPORT_MAX_UNCOMPRESSED_BYTES override them. A 158 KB xlsx can
# declare hundreds of MB of XML: the zip's declared sizes are checked before openpyxl opens it.
IMPORT_MAX_ROWS = 200_000
IMPORT_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
# A sheet whose dimension claims more columns than this is read without it (openpyxl's read-only
# mode pads every row to the dimension's width: "A1:XFD1048576" would make 16,384 cells a row).
IMPORT_MAX_COLUMNS = 1024
# Files with at most this many rows run every row through members.services.validate_member itself;
# larger ones use members.rules.MemberRules (the same rules, fast) and cross-check every SAMPLE_EVERY-th row.
STRICT_ROWS = 2000
SAMPLE_EVERY = 500
# How many errors a job keeps for the preview table (the count is always exact).
ERRORS_SHOWN = 2000
