"""What transfers add to the member register's pages through ``ui.panels`` (issue 9, points 1 and 5):
发起转接 and 党籍状态变更 on a member's page and in the register's rows, for those whose ``transfers.change``
covers the member's branch; on the member's page, the link to their relationship history and, for the
member themselves or a ``transfers.view`` holder, the transfers and status changes that concern them.
Read through this app's own selectors, so its own scope rules apply."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.scoping import resolver
from dangjian.members.choices import MembersPerm
from dangjian.members.selectors import member_can
from dangjian.transfers.choices import TransfersPerm
from dangjian.transfers.selectors import member_actions, member_history
from dangjian.ui.panels import Panel, register_annotator, register_panel

__all__ = ["register"]


def _action_links(member: Any, actions: set[str]) -> list[dict[str, str]]:
    links = []
    if "initiate" in actions:
        links.append({"key": "initiate", "label": _("发起转接"), "icon": "bi-send",
                      "url": reverse("transfers:create", args=[member.pk])})
    if "status" in actions:
        links.append({"key": "status", "label": _("党籍状态变更"), "icon": "bi-arrow-left-right",
                      "url": reverse("transfers:member", args=[member.pk]) + "#status"})
    return links


def _row_actions(actor: Any, members: list) -> bool:
    """The register's rows: each member's ``row_actions`` gets the transfer actions the actor may start."""
    actions = member_actions(actor=actor, members=members)
    for member in members:
        links = _action_links(member, actions.get(member.pk, set()))
        member.row_actions = [*getattr(member, "row_actions", []), *links]
    return bool(actions)


def _own(request: Any, member: Any) -> bool:
    return member.user_id is not None and member.user_id == request.user.pk


def _can_open(actor: Any, member: Any) -> bool:
    """Whether the member's 组织关系与党籍 page opens for *actor*: it needs ``transfers.view`` (a plain
    member's own record shows the history in the panel below instead)."""
    return resolver().has_perm_anywhere(actor, TransfersPerm.VIEW) and member_can(
        actor=actor, member=member, perm=TransfersPerm.VIEW)


def _detail_links(request: Any, member: Any) -> dict | None:
    actor = request.user
    links = _action_links(member, member_actions(actor=actor, members=[member]).get(member.pk, set()))
    if _can_open(actor, member):
        links.insert(0, {"key": "history", "label": _("组织关系与党籍"), "icon": "bi-clock-history",
                         "url": reverse("transfers:member", args=[member.pk])})
    return {"links": links} if links else None


def _history(request: Any, member: Any) -> dict | None:
    """The transfers and status changes of the member: theirs to read (their own record), or a
    ``transfers.view`` holder's whose scope covers the member's branch."""
    can_view = _can_open(request.user, member)
    if not (can_view or _own(request, member)):
        return None
    # one's own history is read under one's own-record grant (members.view, "self"), anyone else's under
    # transfers.view over the member's branch
    perm = TransfersPerm.VIEW if can_view else MembersPerm.VIEW
    history = member_history(actor=request.user, member=member, perm=perm)
    return {"history": history, "can_view": can_view}


def register() -> None:
    register_annotator("members.rows", "transfers.actions", _row_actions)
    register_panel(Panel("members.detail.links", "transfers.links", "ui/includes/panel_links.html",
                         _detail_links, order=30))
    register_panel(Panel("members.detail", "transfers.history", "transfers/panels/member_history.html", _history))
