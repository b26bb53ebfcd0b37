"""组织生活频次要求: the cadence rules (DOMAIN §4) listed, and edited by ``meetings.configure``
through the rules kit (``ui.rules``)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.meetings.choices import MeetingsPerm
from dangjian.meetings.services.rules import RULESET, cadence_rule_update
from dangjian.ui.rules import rule_views

__all__ = ["rule_edit", "rules"]

rules, rule_edit = rule_views(
    ruleset=RULESET, view_perm=MeetingsPerm.VIEW, update=cadence_rule_update, url="meetings:rules",
    title=_("组织生活频次要求"), nav="meetings/_nav.html", head="meetings/_head.html",
    intro=_("各类组织每月、每季度或每年至少召开的会议次数，默认值取自《中国共产党支部工作条例（试行）》等规定；"
            "可按上级规定调整，适用于整个平台。"),
    saved=_("频次要求已修改，落实情况和监测将按新要求计算"),
    note=_("修改后，落实情况页面和下一次组织健康监测按新要求计算。"),
)
