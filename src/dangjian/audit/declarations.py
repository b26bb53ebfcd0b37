"""What the audit app brings: the permission to read the log, its menu entry, and the names of what an
entry records (target types, channels) on the log page (core.declarations)."""
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from dangjian.core.context import Channel
from dangjian.core.declarations import Labels, NavEntry, Permission

__all__ = ["DEFAULT_GRANTS", "LABELS", "NAV", "PERMISSIONS"]

VIEW = "audit.view"

PERMISSIONS = [Permission(VIEW, _("查看操作日志"))]

DEFAULT_GRANTS = {"auditor": [VIEW]}

NAV = [
    NavEntry("audit.log", _("操作日志"), "audit:log", VIEW, order=50, icon="bi-journal-text", home_order=40),
]


def _target_types() -> dict[str, object]:
    # an entry's target_type is the model's label ("members.member"): shown by the model's Chinese name
    return {model._meta.label_lower: model._meta.verbose_name for model in apps.get_models()
            if model.__module__.startswith("dangjian.")}


LABELS = [
    Labels("audit_target", _target_types),
    Labels("audit_channel", {Channel.WEB: _("网页"), Channel.API: _("接口"), Channel.CLI: _("命令行"),
                             Channel.TASK: _("后台任务")}),
]
