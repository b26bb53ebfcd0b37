"""Dues fixtures: members with dues profiles, built through services (STYLE §14)."""
import datetime as dt

import pytest

__all__ = ["dues_member"]


@pytest.fixture
def dues_member(member_factory):
    """A member with a dues profile set on 2024-01-01 (``category``/``base`` overridable)."""
    from dangjian.dues.services import profile_set

    def make(org_code="A1", *, category="in_service", base="5000", on=dt.date(2024, 1, 1), **member_fields):
        member = member_factory(org_code, **member_fields)
        profile_set(actor=None, member=member, category=category, base=base, on=on)
        return member

    return make
