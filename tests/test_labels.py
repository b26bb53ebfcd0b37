"""The label registry (issue 9 §3, STYLE §17): every code the apps define has a Chinese name, declared by
the app that owns it (``<app>/declarations.py`` LABELS), shown by ``{{ code|label:"kind" }}``; the pages
that list findings, notifications and the schedule show names, never codes, in their visible text."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import engines

from dangjian.core.declarations import Declarations, Labels, label, labels
from tests.fixtures import signin
from tests.visible import raw_codes, visible_text

CJK = re.compile(r"[\u4e00-\u9fff]")


def _named(kind: str, codes) -> dict[str, str]:
    """code -> its label, for the codes without a Chinese one (what the assertions want empty)."""
    return {str(code): str(label(kind, code)) for code in codes if not CJK.search(str(label(kind, code)))}


def test_every_finding_rule_and_alert_source_has_a_chinese_name():
    from dangjian.health.choices import RuleCode
    from dangjian.health.rules import all_rules

    codes = {value for name, value in vars(RuleCode).items() if name.isupper()}
    assert codes == {rule.code for rule in all_rules()}
    assert _named("finding", codes) == {}
    assert _named("source", [*codes, "integration.test"]) == {}
    assert label("finding", "development.step_overdue") == "发展党员步骤逾期"


def test_every_severity_role_scope_kind_stage_and_type_has_a_chinese_name():
    from dangjian.accounts.choices import ROLES, Scope
    from dangjian.development.choices import Stage, StepCode
    from dangjian.health.choices import FindingState
    from dangjian.health.choices import Severity as FindingSeverity
    from dangjian.integration.choices import Severity
    from dangjian.meetings.choices import DEFAULT_KINDS, KindCode
    from dangjian.orgs.choices import OrgType

    kinds = {value for name, value in vars(KindCode).items() if name.isupper()}
    assert kinds == {kind.code for kind in DEFAULT_KINDS}
    cases = {
        "severity": [*Severity.values, *FindingSeverity.values],
        "role": list(ROLES),
        "scope": Scope.values,
        "meeting_kind": kinds,
        "stage": Stage.values,
        "step": StepCode.values,
        "org_type": OrgType.values,
        "finding_state": FindingState.values,
    }
    assert {kind: _named(kind, codes) for kind, codes in cases.items()} == {kind: {} for kind in cases}
    # the seeded kinds' names are the ones the meetings app seeds (translated on screen)
    assert {k.code: k.name for k in DEFAULT_KINDS} == {code: str(name) for code, name in labels("meeting_kind").items()}
    assert {code: name for code, (name, _mfa) in ROLES.items()} == {c: str(n) for c, n in labels("role").items()}


def test_every_schedule_entry_has_a_chinese_title_and_every_audit_target_a_name():
    from django.apps import apps

    from dangjian.core.declarations import registry

    titles = {e.name: str(label("schedule", e.name, default=e.description)) for e in registry().schedule}
    assert [name for name, title in titles.items() if not CJK.search(title)] == []
    assert label("schedule", "health.scan_all") == "组织健康体检"
    models = [m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("dangjian.")]
    assert [m for m in models if label("audit_target", m) == m] == []


def test_an_undeclared_code_shows_as_itself_and_the_filter_reads_the_registry():
    template = engines["django"].from_string('{% load ui %}{{ a|label:"finding" }}|{{ b|label:"source" }}|'
                                             '{{ c|label:"role" }}|{{ d|label:"nope" }}')
    assert template.render({"a": "dues.arrears", "b": "erp.reminder", "c": "org_dept", "d": "x"}) == \
        "党费欠缴临近六个月|erp.reminder|组织部|x"


def test_one_code_has_one_name():
    # given: two apps naming the same code of one vocabulary
    found = Declarations()
    found.add("one", SimpleNamespace(LABELS=[Labels("role", {"x": "甲"})]))
    found.add("two", SimpleNamespace(LABELS=[Labels("role", lambda: {"x": "乙"})]))
    # then: the registry refuses it when read
    with pytest.raises(ImproperlyConfigured, match="label role:x is declared by both one and two"):
        found.vocabularies()


def test_visible_text_skips_attributes_scripts_and_closed_details():
    html = ('<p data-rule="org.no_secretary">无书记 <code>org.no_secretary</code></p>'
            '<details><summary>高级</summary><code>org.term_expired</code></details>'
            '<details open><code>dues.arrears</code></details><select><option value="org_dept">组织部</option>'
            '</select><script>var x = "transfers.overdue";</script>')
    text = visible_text(html)
    assert "高级" in text and "组织部" in text
    assert raw_codes(text) == ["dues.arrears", "org.no_secretary"]


# --- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def secretary(tree, member_factory, user_factory):
    """A1's branch secretary, after a scan that finds A1 too small (and more) and alerts them."""
    from dangjian.health.tests.fixtures import Scanner
    from dangjian.integration.services.alerts import findings_notify

    user = user_factory("sec", "branch_secretary", tree["A1"], scope="subtree")
    member_factory("A1")
    result = Scanner().scan()
    findings_notify(since=result.started_at)
    return user


def test_findings_and_inbox_show_rule_names_not_codes(client, tree, secretary):
    from dangjian.health.models import Finding
    from dangjian.integration.models import Notification
    from dangjian.integration.services import notify

    # given: a branch secretary with findings and alerts of A1 (a source from outside: shown as given)
    signin(client, secretary)
    notify(recipients=[secretary], title="测试", source="integration.test", severity="warning")
    rules = set(Finding.objects.filter(org=tree["A1"]).values_list("rule", flat=True))
    assert rules  # the page really lists something
    # when
    findings = client.get("/health/findings/").content.decode()
    inbox = client.get("/notifications/").content.decode()
    # then: rule names on screen, codes only in attributes
    assert raw_codes(visible_text(findings)) == []
    assert {str(label("finding", rule)) for rule in rules} <= set(visible_text(findings).splitlines())
    assert Notification.objects.filter(recipient=secretary).exclude(source="integration.test").exists()
    assert raw_codes(visible_text(inbox)) == []
    assert "通知渠道测试" in visible_text(inbox) and 'data-source="integration.test"' in inbox


def test_schedule_page_is_the_administrators_and_says_when_in_words(client, tree, user_factory):
    from dangjian.integration.services import schedule_sync

    schedule_sync()
    # given: a branch secretary configures channels but not the schedule
    signin(client, user_factory("sec", "branch_secretary", tree["A1"]))
    assert client.get("/notifications/schedule/").status_code == 403
    assert "/notifications/schedule/" not in client.get("/notifications/channels/").content.decode()
    # when: the system administrator opens it
    client.logout()
    signin(client, user_factory("root", "sysadmin", None, scope="all"))
    html = client.get("/notifications/schedule/").content.decode()
    text = visible_text(html)
    # then: names and times in words; code, task path and cron only in the advanced detail
    assert "组织健康体检" in text and "每天 02:30" in text and "每分钟" in text and "每月 1 日 01:00" in text
    assert "30 2 * * *" not in text and "dangjian.health.tasks" not in text and raw_codes(text) == []
    assert "30 2 * * *" in html and "dangjian.health.tasks.scan_all" in html


# Pages another change is redoing (issue 9 §3: rule names and citations in Chinese); remove once done.
RULE_PAGES = ("/health/rules/", "/development/rules/", "/transfers/rules/", "/dues/rules/")


@pytest.mark.parametrize("role", ["sysadmin", "org_dept", "committee_secretary", "branch_secretary",
                                  "party_worker", "auditor", "member"])
def test_no_page_of_the_menu_shows_a_raw_code(client, tree, secretary, user_factory, role):
    # given: a user of each default role at A (findings and alerts exist: the secretary's fixture)
    from django.urls import reverse

    from dangjian.integration.services import notify, schedule_sync

    schedule_sync()
    user = signin(client, user_factory(f"u_{role}", role, None if role == "sysadmin" else tree["A"],
                                       scope="all" if role == "sysadmin" else "subtree"))
    notify(recipients=[user], title="测试", source="dues.arrears", severity="critical")
    home = client.get("/")
    pages = ["/", reverse("integration:inbox")]
    pages += [child.url for item in home.context["nav_menu"] for child in (item.children or (item,)) if child.url]
    # when / then: every page of their menu names things, with no code in its visible text
    shown = {}
    for url in dict.fromkeys(pages):
        if url.startswith(RULE_PAGES):
            continue
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            shown[url] = raw_codes(visible_text(response.content.decode()))
    assert {url: codes for url, codes in shown.items() if codes} == {}
    assert len(shown) >= 3
