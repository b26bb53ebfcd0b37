"""Dues fixtures: members with dues profiles, built through services (STYLE §14)."""
import datetime as dt

import pytest

__all__ = ["dues_member", "rule_set_body"]


@pytest.fixture
def dues_member(member_factory):
    """A member with a dues profile set on 2024-01-01 (``category``/``base`` overridable)."""
    from dangjian.dues.services import profile_set

    def make(org_code="A1", *, category="in_service", base="5000", on=dt.date(2024, 1, 1), **member_fields):
        member = member_factory(org_code, **member_fields)
        profile_set(actor=None, member=member, category=category, base=base, on=on)
        return member

    return make


def rule_set_body(version: str = "2031", effective_from: str = "2031-01-01") -> dict:
    """The 2017 version as the JSON body of a new version (money and dates as text) for the API."""
    from dangjian.dues.models import DuesRuleSet
    from dangjian.dues.services.versions import rule_set_template

    def text(value):
        return None if value is None else str(value)

    months = ("arrears_warn_months", "arrears_severe_months", "arrears_limit_months")
    data = rule_set_template(DuesRuleSet.objects.get(version="2017"))
    body = {k: (v if k in months else text(v)) for k, v in data.items() if k != "brackets"}
    body.update(version=version, name="假设的新规定", effective_from=effective_from)
    body["brackets"] = [{k: (v if k in ("category", "citation") else text(v)) for k, v in row.items()}
                        for row in data["brackets"]]
    return body
