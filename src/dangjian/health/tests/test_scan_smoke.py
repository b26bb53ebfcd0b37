import pytest

from dangjian.health.rules import all_rules


@pytest.mark.django_db
def test_full_scan_runs_every_rule(tree, member_factory, health):
    member_factory("A1")
    result = health.scan()
    assert [r.code for r in result.runs] == [r.code for r in all_rules()]
    assert result.rollups == 7
