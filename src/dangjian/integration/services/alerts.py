"""Alerts: health findings that appeared turn into notifications for the rule's role (issue #4 §4, §6).

The health app publishes ``health.findings_changed`` after each scan with ``since`` (the run's time:
findings whose ``first_seen`` equals it appeared or re-appeared in that run) and ``rule_codes``. The
subscriber (``tasks.subscribe``) queues :func:`findings_notify`, which reads those findings through
the health app — only when it is installed: the integration app runs without it — a batch at a time,
and returns where to continue so a first scan of a large tree is spread over several tasks.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from dangjian.core.scoping import SYSTEM
from dangjian.integration.services.notify import notify

__all__ = ["ALERT_BATCH", "findings_notify"]

log = logging.getLogger(__name__)
ALERT_BATCH = 500
_LINK_NAMES = (("health:finding", True), ("health:findings", False))


def _link(finding: Any) -> str:
    for name, with_pk in _LINK_NAMES:
        try:
            return reverse(name, kwargs={"pk": finding.pk}) if with_pk else reverse(name)
        except NoReverseMatch:
            continue
    return ""


def findings_notify(*, since: str, rule_codes: list[str] | None = None, after: int = 0,
                    batch: int = ALERT_BATCH) -> tuple[int, int | None]:
    """Notifies the nearest holders of each rule's role about the findings that appeared at *since*
    (one dispatch per finding, also to the org's channels; a repeat is a no-op through ``dedup_key``).

    Returns (dispatches written, the last finding id when more remain else None)."""
    moment = parse_datetime(since) if isinstance(since, str) else since
    if moment is None or not apps.is_installed("dangjian.health"):
        return 0, None
    from dangjian.health.models import Finding
    from dangjian.health.selectors import rule_setting

    qs = Finding.objects.filter(first_seen=moment, pk__gt=after).select_related("org").order_by("pk")
    if rule_codes:
        qs = qs.filter(rule__in=rule_codes)
    findings = list(qs[: batch + 1])
    more = len(findings) > batch
    findings = findings[:batch]
    roles: dict[str, str] = {}
    written = 0
    for finding in findings:
        if not finding.is_open:
            continue
        if finding.rule not in roles:
            setting = rule_setting(actor=SYSTEM, code=finding.rule)
            roles[finding.rule] = (getattr(setting, "notify_role", "") or "") if setting is not None else ""
        role = roles[finding.rule]
        if not role:
            continue
        title = _("%(org)s：%(message)s") % {"org": finding.org.name, "message": finding.message}
        try:
            notify(title=title[:200], body=finding.message, link=_link(finding), severity=finding.severity,
                   source=finding.rule, role_code=role, org=finding.org, nearest=True,
                   dedup_key=f"health.finding:{finding.pk}:{_iso(moment)}")
            written += 1
        except Exception:
            log.exception("alert for finding %s could not be written", finding.pk)
    return written, (findings[-1].pk if more and findings else None)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")
