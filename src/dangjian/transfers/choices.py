"""Choices of organisation-relationship transfers (组织关系转接) and of the member status machine
(DOMAIN §6): kinds and states of a transfer, the transitions between membership statuses."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.members.choices import MemberStatus

__all__ = [
    "DECISION_TRANSITIONS",
    "DESTINATION_PURPOSE",
    "IN_TRANSIT_STATUSES",
    "OPEN_STATUSES",
    "TRANSFERABLE_MEMBER_STATUSES",
    "TRANSITIONS",
    "StatusTransition",
    "TransferKind",
    "TransferStatus",
    "TransfersPerm",
]


# The org picker's purpose key for a transfer's receiving branch: any active branch of the group, to whoever
# may start transfers (DOMAIN §6; registered with orgs.pickers in TransfersConfig.ready).
DESTINATION_PURPOSE = "transfers.destination"


class TransfersPerm:
    VIEW = "transfers.view"
    CHANGE = "transfers.change"  # initiate, issue, receive, return, cancel; record status changes
    CONFIGURE = "transfers.configure"  # edit the rule parameters (global data)


class TransferKind(models.TextChoices):
    INTERNAL = "internal_out", _("系统内转接")
    EXTERNAL_OUT = "external_out", _("转出到系统外")
    EXTERNAL_IN = "external_in", _("从系统外转入")


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SENT = "sent", _("转接中")  # the introduction letter is issued, not yet received
    RECEIVED = "received", _("已接收")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", pgettext_lazy("transfer status", "已撤销")
    EXPIRED = "expired", _("介绍信已过期")  # still not received: the sending branch reissues or cancels


# A member has at most one open transfer; until it is received the sending branch stays responsible
# (DOMAIN §6 "Responsibility while in transit"), an expired letter included.
OPEN_STATUSES = (TransferStatus.DRAFT, TransferStatus.SENT, TransferStatus.EXPIRED)
IN_TRANSIT_STATUSES = (TransferStatus.SENT, TransferStatus.EXPIRED)
TRANSFERABLE_MEMBER_STATUSES = (MemberStatus.NORMAL, MemberStatus.MOBILE)


class StatusTransition(models.TextChoices):
    """The moves of the DOMAIN §6 state machine (正常 → 流动 → 失联 → 停止党籍 → 除名, and back)."""

    GO_MOBILE = "go_mobile", _("外出流动")
    RETURN = "return", _("流动返回")
    LOSE_CONTACT = "lose_contact", _("失去联系")
    REGAIN_CONTACT = "regain_contact", _("恢复联系")
    SUSPEND = "suspend", _("停止党籍")
    RESTORE = "restore", _("恢复党籍")
    REMOVE = "remove", _("除名（按自行脱党）")
    DECEASE = "decease", _("去世")


S = MemberStatus
# transition: (statuses it may start from, the status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    StatusTransition.GO_MOBILE: ((S.NORMAL,), S.MOBILE),
    StatusTransition.RETURN: ((S.MOBILE,), S.NORMAL),
    StatusTransition.LOSE_CONTACT: ((S.NORMAL, S.MOBILE), S.LOST),
    StatusTransition.REGAIN_CONTACT: ((S.LOST,), S.NORMAL),
    StatusTransition.SUSPEND: ((S.LOST,), S.SUSPENDED),
    StatusTransition.RESTORE: ((S.SUSPENDED,), S.NORMAL),
    StatusTransition.REMOVE: ((S.SUSPENDED,), S.EXPELLED),
    StatusTransition.DECEASE: ((S.NORMAL, S.MOBILE, S.LOST, S.SUSPENDED), S.DECEASED),
}
# Decisions of the Party organisation: recorded with the decision document and who approved it.
DECISION_TRANSITIONS = (StatusTransition.SUSPEND, StatusTransition.RESTORE, StatusTransition.REMOVE)
