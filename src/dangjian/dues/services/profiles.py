"""Dues profiles (党费基数): set a member's category and base; the annual fixing of bases."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangjian.audit.choices import AuditAction
from dangjian.audit.services import record
from dangjian.core import events
from dangjian.core.errors import DomainError, FieldError
from dangjian.dues.choices import (
    FLOATING_BASE_CATEGORIES,
    BaseMode,
    DuesCategory,
    DuesPerm,
)
from dangjian.dues.events import DuesProfileChanged
from dangjian.dues.models import (
    DuesProfile,
)
from dangjian.dues.rules import (
    parse_base,
    parse_category,
)
from dangjian.dues.services.common import (
    _fix_bases,
    _members_in_scope,
    _profile_snapshot,
    _require_member,
    _rule_book_on,
    quarter_average,
)
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import require_org_in_scope

# --------------------------------------------------------------------------------------------- profiles

@transaction.atomic
def profile_set(
    *,
    actor: Any,
    member: Member,
    category: Any,
    base: Any = None,
    quarter_incomes: Iterable[Any] | None = None,
    on: dt.date | None = None,
    reason: str = "",
) -> DuesProfile:
    """Sets a member's dues category and declares their monthly base as of *on* (default today).

    - Fixed-amount categories need no base. Self-employed members may give ``quarter_incomes``
      (three months) instead of a base.
    - 2017 annual mode (the rule set in force on *on*): a pay change is recorded as declared and
      takes effect at the next annual fixing; the first declaration of the year, a category change
      and floating-base categories (annual salary, self-employed) take effect at once.
    - 2008 monthly mode: the base moves at once.

    Permission: ``dues.change`` on the member's branch. Audit: ``dues.profile_set``.
    """
    today = timezone.localdate()
    on = on or today
    errors: list[FieldError] = []
    try:
        cat = parse_category(category)
    except DomainError as exc:
        errors += exc.errors
        cat = None
    base_value: Decimal | None = None
    try:
        if quarter_incomes is not None and cat == DuesCategory.SELF_EMPLOYED:
            base_value = quarter_average(quarter_incomes)
        else:
            base_value = parse_base(base, required=False)
    except DomainError as exc:
        errors += exc.errors
    if errors:
        raise DomainError(errors)
    _require_member(actor, member)
    book = _rule_book_on(on, "on")
    if book.is_fixed(cat):
        base_value = None
    elif base_value is None:
        book.bracket_for(cat, None)  # raises BASE_REQUIRED (or CATEGORY_UNKNOWN) naming the field
    else:
        book.bracket_for(cat, base_value)  # the category exists in the rules

    profile = DuesProfile.objects.select_for_update().filter(member=member).first()
    before = _profile_snapshot(profile)
    if profile is None:
        profile = DuesProfile(member=member)
    fixed_now = (
        profile.pk is None
        or book.base_mode == BaseMode.MONTHLY
        or cat != profile.category
        or cat in FLOATING_BASE_CATEGORIES
        or profile.base_year is None
        or profile.base_year < on.year
    )
    if fixed_now and profile.base_year is not None and profile.base_year < on.year:
        profile.previous_base = profile.base_amount
    profile.category = cat
    profile.declared_base = base_value
    profile.declared_on = on
    if fixed_now:
        profile.base_amount = base_value
        profile.base_year = on.year
    profile.full_clean(exclude=["member"])
    profile.save()
    record(actor=actor, action=AuditAction.DUES_PROFILE_SET, target=profile, org=member.org, before=before,
           after=_profile_snapshot(profile), reason=reason)
    events.publish(DuesProfileChanged(member_id=member.pk, org_ids=(member.org_id,)))
    return profile


@transaction.atomic
def bases_fix_year(*, actor: Any, year: int, org: Organization | None = None) -> int:
    """Annual base fixing (DOMAIN §1 "Salary change", Dues Notice 2017 §1(1)): every profile not yet
    fixed for *year* takes its declared base as the base for the year, in one UPDATE. Idempotent.

    Permission: ``dues.change`` (scoped). Audit: ``dues.bases_fix`` with the count.
    """
    if org is not None:
        require_org_in_scope(actor=actor, org=org, perm=DuesPerm.CHANGE)
    fixed = _fix_bases(_members_in_scope(actor, org), year)
    if fixed:
        record(actor=actor, action=AuditAction.DUES_BASES_FIXED, org=org, after={"year": year, "count": fixed})
    return fixed


