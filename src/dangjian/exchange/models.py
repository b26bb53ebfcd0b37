"""Data exchange (数据交换): column mappings (交换方案) and import jobs (导入任务)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedBinaryField
from dangjian.core.models import TimeStampedModel
from dangjian.core.scoping import OrgScopedQuerySet
from dangjian.exchange.choices import ImportKind, ImportMode, JobStatus
from dangjian.orgs.models import Organization

__all__ = ["ExchangeProfile", "ImportJob"]


class ExchangeProfile(TimeStampedModel):
    """交换方案 (column mapping): how the columns of a workbook map onto the fields of one kind of record.

    ``columns`` is a list of ``{"title", "field", "required", "codes"}``: the column title as printed in
    the template an organisation department issues, the platform field it carries
    (:mod:`dangjian.exchange.columns`), whether it must be filled, and the code list
    ``{label in the file: platform value}`` for coded fields (empty: the platform's own labels). One
    mapping serves both directions: imports read these titles, exports and templates write them.

    Seeded: the basic field set of the national member-management system (全国党员管理信息系统, DOMAIN
    §10). ``org`` empty: a platform-wide mapping (changed only with an all-scope grant); otherwise the
    unit's own copy, changed within that unit's scope.
    """

    code = models.SlugField(_("方案代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("数据类别"), max_length=20, choices=ImportKind.choices)
    columns = models.JSONField(_("列"), default=list)
    description = models.TextField(_("说明"), blank=True)
    org = models.ForeignKey(Organization, verbose_name=_("所属组织"), on_delete=models.PROTECT, null=True,
                            blank=True, related_name="+")

    objects = OrgScopedQuerySet.as_manager()
    scope_path_lookup = "org__path"
    scope_org_lookup = "org_id"

    class Meta:
        verbose_name = _("交换方案")
        verbose_name_plural = _("交换方案")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class ImportJob(TimeStampedModel):
    """导入任务 (import job): one uploaded file, its dry-run report and, once committed, its result.

    The file itself is kept in the row (the database is the only state, DESIGN 12-factor), so the
    commit re-reads and re-validates exactly what was previewed, in any app process or worker. It
    holds full ID numbers and phones, so it is stored SM4-encrypted with the field key and forgotten
    as soon as it is no longer needed: when the job is committed, rejected or failed, and in any case
    after 30 days (``tasks.purge_import_files``, on the worker's schedule) — issue 7 §4.
    ``processed``/``total`` are the progress the page polls. A job belongs to the user who uploaded it.
    """

    kind = models.CharField(_("数据类别"), max_length=20, choices=ImportKind.choices)
    mode = models.CharField(_("导入方式"), max_length=10, choices=ImportMode.choices, default=ImportMode.CREATE)
    profile = models.ForeignKey(ExchangeProfile, verbose_name=_("交换方案"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    default_org = models.ForeignKey(Organization, verbose_name=_("默认组织"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=255)
    data = EncryptedBinaryField(_("文件内容"), blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING)
    phase = models.CharField(_("阶段"), max_length=40, blank=True)
    processed = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数（估计）"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [models.Index(fields=["created_by", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def running(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.VALIDATING, JobStatus.COMMITTING)

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(self.processed * 100 / self.total))
