"""Reads of the integration app (STYLE §3): the actor's own inbox and preferences, the channels in
the actor's ``integration.configure`` scope, and the system-side lookups ``notify`` needs."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.choices import AccountsPerm, Scope
from dangjian.accounts.models import Role, RoleAssignment, User
from dangjian.core.pagination import decode_cursor, encode_cursor
from dangjian.core.scoping import get_for_actor, platform_rows, report_out_of_scope, resolver
from dangjian.integration.choices import PERSONAL_DEFAULTS, IntegrationPerm
from dangjian.integration.models import (
    Delivery,
    Notification,
    NotificationChannel,
    NotificationPreference,
    ScheduledJob,
    WebhookSubscription,
)
from dangjian.orgs.models import Organization

__all__ = [
    "InboxPage",
    "Preference",
    "can_configure",
    "channel_deliveries",
    "channel_get",
    "channel_list",
    "channels_for_dispatch",
    "inbox",
    "inbox_page",
    "notification_get_own",
    "preferences_for",
    "preferences_of",
    "role_exists",
    "role_recipients",
    "schedule_list",
    "subscription_deliveries",
    "subscription_deliveries_page",
    "subscription_get",
    "subscription_list",
    "unread_count",
]


# --- the inbox (always the actor's own) ---------------------------------------------------------------


def inbox(*, actor: Any, unread: bool = False) -> QuerySet[Notification]:
    """The actor's own inbox; nobody reads anyone else's, whatever their roles."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=actor, in_inbox=True).select_related("org")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


@dataclass
class InboxPage:
    items: list[Notification]
    next_cursor: str | None


def inbox_page(*, actor: Any, unread: bool = False, cursor: str | None = None, limit: int = 50) -> InboxPage:
    """Newest first, keyset-paginated on the id (descending), so any page costs the same."""
    qs = inbox(actor=actor, unread=unread).order_by("-pk")
    before = decode_cursor(cursor)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxPage(items=rows, next_cursor=encode_cursor(rows[-1].pk) if more and rows else None)


def unread_count(actor: Any) -> int:
    return inbox(actor=actor, unread=True).count()


def notification_get_own(*, actor: Any, pk: Any) -> Notification:
    """One of the actor's own notifications; someone else's is "not found" exactly like a missing one."""
    try:
        return inbox(actor=actor).get(pk=pk)
    except Notification.DoesNotExist:
        report_out_of_scope(Notification, actor, "integration.inbox", pk=pk)
        raise Http404("not found")
    except (ValueError, TypeError):
        raise Http404("not found")


# --- preferences -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    min_severity: str
    muted_sources: tuple[str, ...] = ()


def _defaults() -> dict[str, Preference]:
    return {channel: Preference(threshold) for channel, threshold in PERSONAL_DEFAULTS.items()}


def preferences_for(*, actor: Any, user_ids: Iterable[int]) -> dict[int, dict[str, Preference]]:
    """Each user's preference per personal channel (defaults where they chose nothing), in one query.
    Preferences are personal: the system (``notify``) reads anyone's, any other actor only their own."""
    ids = list(user_ids)
    if not getattr(actor, "is_system", False):
        ids = [uid for uid in ids if uid is not None and uid == getattr(actor, "pk", None)]
    out = {uid: _defaults() for uid in ids}
    rows = NotificationPreference.objects.filter(user_id__in=ids).values_list(
        "user_id", "channel", "min_severity", "muted_sources")
    for uid, channel, threshold, muted in rows:
        out[uid][channel] = Preference(threshold, tuple(muted or ()))
    return out


def preferences_of(*, actor: Any) -> dict[str, Preference]:
    """The actor's own preferences (defaults where they chose nothing)."""
    return preferences_for(actor=actor, user_ids=[actor.pk]).get(actor.pk) or _defaults()


# --- channels ----------------------------------------------------------------------------------------


def channel_list(*, actor: Any, org: Organization | None = None, kind: str | None = None
                 ) -> QuerySet[NotificationChannel]:
    qs = NotificationChannel.objects.for_actor(actor, IntegrationPerm.CONFIGURE).select_related("org")
    if org is not None:
        qs = qs.filter(org=org)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def channel_get(*, actor: Any, pk: Any) -> NotificationChannel:
    """A channel in the actor's scope, else 404 (missing and out of scope look the same)."""
    return get_for_actor(NotificationChannel.objects.select_related("org"), actor, IntegrationPerm.CONFIGURE, pk=pk)


def channel_deliveries(*, actor: Any, channel: NotificationChannel, limit: int = 20) -> list[Delivery]:
    """The channel's latest deliveries with their attempts (the channel was already read in scope)."""
    qs = (Delivery.objects.for_actor(actor, IntegrationPerm.CONFIGURE).filter(channel=channel)
          .select_related("dispatch").prefetch_related("attempt_log").order_by("-pk"))
    return list(qs[:limit])


def can_configure(actor: Any) -> bool:
    return resolver().has_perm_anywhere(actor, IntegrationPerm.CONFIGURE)


def channels_for_dispatch(*, actor: Any, org: Organization | None,
                          perm: str = IntegrationPerm.CONFIGURE) -> list[NotificationChannel]:
    """The enabled channels a notice about *org* goes to: the org's own, and those of its ancestors that
    asked for their sub-organisations' notices too (one query on the ancestors' paths). ``notify`` reads
    them as the system: a notice reaches channels above the scope of whoever caused it."""
    if org is None:
        return []
    step = Organization.steplen
    ancestors = [org.path[:i] for i in range(step, len(org.path), step)]
    q = Q(org_id=org.pk) | Q(include_subtree=True, org__path__in=ancestors)
    return list(NotificationChannel.objects.for_actor(actor, perm).filter(q, enabled=True)
                .select_related("org").order_by("pk"))


# --- webhook subscriptions ----------------------------------------------------------------------------


def subscription_list(*, actor: Any, org: Organization | None = None) -> QuerySet[WebhookSubscription]:
    qs = WebhookSubscription.objects.for_actor(actor, IntegrationPerm.CONFIGURE).select_related("org")
    if org is not None:
        qs = qs.filter(org=org)
    return qs


def subscription_get(*, actor: Any, pk: Any) -> WebhookSubscription:
    """A subscription in the actor's scope, else 404 (missing and out of scope look the same)."""
    return get_for_actor(WebhookSubscription.objects.select_related("org"), actor, IntegrationPerm.CONFIGURE,
                         pk=pk)


def subscription_deliveries(*, actor: Any, subscription: WebhookSubscription,
                            status: str | None = None) -> QuerySet[Delivery]:
    """The subscription's delivery log, newest first, with the event and the attempts (the subscription
    was already read in scope)."""
    qs = (Delivery.objects.for_actor(actor, IntegrationPerm.CONFIGURE).filter(subscription=subscription)
          .select_related("event").prefetch_related("attempt_log").order_by("-pk"))
    if status:
        qs = qs.filter(status=status)
    return qs


def subscription_deliveries_page(*, actor: Any, subscription: WebhookSubscription, status: str | None = None,
                                 cursor: str | None = None, limit: int = 50) -> InboxPage:
    """The delivery log a page at a time, newest first (keyset on the id, descending)."""
    qs = subscription_deliveries(actor=actor, subscription=subscription, status=status)
    before = decode_cursor(cursor)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return InboxPage(items=rows, next_cursor=encode_cursor(rows[-1].pk) if more and rows else None)




# --- recipients by role --------------------------------------------------------------------------------


def role_exists(*, actor: Any, code: str) -> bool:
    """Whether a role with this code exists (the role table: platform-wide reference data)."""
    return platform_rows(Role.objects.all(), actor).filter(code=code).exists()


def role_recipients(*, actor: Any, role_code: str, org: Organization, nearest: bool = False,
                    perm: str = AccountsPerm.MANAGE) -> list[Any]:
    """Active users holding role *role_code* over *org*: assigned at the org itself (any scope but
    "self"), at an ancestor with subtree scope, or with "all" scope — among the assignments the actor
    may read for *perm* (``notify`` reads them as the system: a notice goes up the tree).

    *nearest*: only the holders closest to *org* (its own, else the nearest ancestor's, "all" scope
    last), so an alert about a branch reaches that branch's secretary, not every secretary above it."""
    step = Organization.steplen
    ancestors = [org.path[:i] for i in range(step, len(org.path), step)]
    covering = (
        Q(scope=Scope.ALL)
        | (Q(org_id=org.pk) & ~Q(scope=Scope.SELF))
        | Q(scope=Scope.SUBTREE, org__path__in=ancestors)
    )
    rows = list(RoleAssignment.objects.for_actor(actor, perm).filter(covering, role__code=role_code,
                                                                      user__is_active=True)
                .values_list("user_id", "scope", "org__path"))
    if nearest and rows:
        def depth(row: tuple) -> int:
            return -1 if row[1] == Scope.ALL else len(row[2] or "")

        deepest = max(depth(row) for row in rows)
        rows = [row for row in rows if depth(row) == deepest]
    ids = {row[0] for row in rows}
    return list(User.objects.filter(pk__in=ids).order_by("pk")) if ids else []


# --- the schedule ----------------------------------------------------------------------------------------


def schedule_list(*, actor: Any, perm: str = IntegrationPerm.CONFIGURE) -> QuerySet[ScheduledJob]:
    """The platform-wide schedule (not org data: every holder of ``integration.configure`` sees it)."""
    return platform_rows(ScheduledJob.objects.all(), actor, perm).order_by("name")
