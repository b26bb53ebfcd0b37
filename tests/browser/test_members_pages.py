"""Member pages in a real browser: masked ID with an audited reveal for a permitted user, and the
register list at phone width (cards, no horizontal overflow). Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.audit.models import AuditEntry
from tests.browser.conftest import PHONE, assert_assets_loaded

pytestmark = pytest.mark.browser


@pytest.fixture
def register(tree, member_factory):
    """A branch with a dozen members (one with a long job title) and one member elsewhere."""
    from dangjian.orgs.services import unit_create

    unit = unit_create(actor=None, parent=None, name="甲公司第一生产车间", code="U-A1", unit_type="department")
    names = ["李明华", "王秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙悦"]
    members = [member_factory("A1", name=n) for n in names]
    members[0].unit = unit
    from dangjian.members.services import member_update

    member_update(actor=None, member=members[0], unit=unit, job_title="设备管理部副主任兼安全生产监督岗位负责人",
                  education="bachelor", party_group=tree["A1G1"])
    member_factory("B1", name="乙支部党员")
    return members


def _enrolled(user):
    """Gives *user* a confirmed authenticator (their role requires a second factor)."""
    from dangjian.accounts.services import mfa_confirm, mfa_start
    from dangjian.accounts.tests.otp import totp_code

    device = mfa_start(user=user)
    mfa_confirm(actor=user, device=device, token=totp_code(device))
    device.refresh_from_db()
    return device


def test_member_page_shows_the_masked_id_and_reveals_it_for_a_permitted_user(page, live_server, login, account, tree,
                                                                            register, screenshot):
    # given: 甲公司's committee secretary holds members.reveal over A's subtree
    member = register[0]
    user = account("shuji", role="committee_secretary", org=tree["A"], display_name="党委书记")
    login("shuji", device=_enrolled(user), next_path=f"/members/{member.pk}/")
    page.wait_for_url(f"**/members/{member.pk}/")
    assert_assets_loaded(page)
    # then: masked first
    expect(page.locator("h1")).to_have_text("李明华")
    expect(page.locator("[data-masked=id_number]")).to_have_text(member.id_number_masked)
    expect(page.locator("[data-masked=phone]")).to_have_text(member.phone_masked)
    assert member.id_number not in page.content()
    screenshot("members-detail-desktop")
    page.set_viewport_size(PHONE)
    screenshot("members-detail-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    before = AuditEntry.objects.filter(action="members.reveal").count()
    # when
    page.locator("[data-reveal=id_number]").click()
    # then: the plaintext replaces the masked value in place, and the reveal is on record
    expect(page.locator("[data-revealed=id_number]")).to_have_text(member.id_number)
    expect(page.locator("[data-masked=phone]")).to_have_text(member.phone_masked)
    entries = list(AuditEntry.objects.filter(action="members.reveal").order_by("seq"))[before:]
    assert [(e.actor_id, e.target_id, e.after, e.channel) for e in entries] == [
        (user.pk, str(member.pk), {"field": "id_number"}, "web")]


def test_member_page_has_no_reveal_button_without_the_permission(page, live_server, login, account, tree, register):
    member = register[1]
    account("ganshi", role="party_worker", org=tree["A1"], scope="org")
    login("ganshi", next_path=f"/members/{member.pk}/")
    page.wait_for_url(f"**/members/{member.pk}/")
    expect(page.locator("[data-masked=id_number]")).to_have_text(member.id_number_masked)
    expect(page.locator("[data-reveal]")).to_have_count(0)


def test_member_list_at_phone_width_shows_cards_without_horizontal_overflow(page, live_server, login, account, tree,
                                                                           register, screenshot):
    # given
    account("ganshi", role="party_worker", org=tree["A1"], scope="org")
    login("ganshi", next_path="/members/")
    page.wait_for_url("**/members/")
    screenshot("members-list-desktop")
    expect(page.locator("[data-member-table]")).to_be_visible()
    # when
    page.set_viewport_size(PHONE)
    # then
    expect(page.locator("[data-member-table]")).to_be_hidden()
    cards = page.locator("[data-member-cards] .card")
    expect(cards).to_have_count(12)
    expect(cards.first).to_contain_text(register[0].id_number_masked)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("document.body.scrollWidth") <= PHONE["width"]
    screenshot("members-list-phone")
    # and the search finds one member by the last four characters of the ID
    page.fill("#id_q", register[3].id_number[-4:])
    page.locator("[data-member-filters] button[type=submit]").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(register[3].name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_create_form_shows_each_error_next_to_its_field(page, live_server, login, account, tree, register, screenshot):
    # given
    from dangjian.members.models import Member

    account("ganshi", role="party_worker", org=tree["A1"], scope="org")
    login("ganshi", next_path="/members/new/")
    page.wait_for_url("**/members/new/")
    page.set_viewport_size(PHONE)
    taken = register[2]
    before = Member.objects.count()
    # when: an ID already in the register, a birth date that contradicts it, and a code that is no branch of ours
    page.fill("#id_name", "新同志")
    page.select_option("#id_gender", taken.gender)
    page.fill("#id_id_number", taken.id_number)
    page.fill("#id_birth_date", "1999-01-01")
    page.fill("#id_joined_on", "2020-07-01")
    page.fill("#id_full_member_on", "2021-07-01")
    page.fill("#id_org_code", "B1")
    page.locator("[data-member-form] button[type=submit]").click()
    # then: the unknown code is reported at its field first; nothing is written
    expect(page.locator("[data-field-error=org_code]")).to_contain_text("未找到该组织代码")
    expect(page.locator("#id_org_code")).to_have_class("form-control is-invalid")
    # when: the branch is fixed, the register's own rules speak, each at its field
    page.fill("#id_org_code", "A1")
    page.locator("[data-member-form] button[type=submit]").click()
    expect(page.locator("[data-field-error=birth_date]")).to_contain_text("出生日期与身份证号码不符")
    screenshot("members-create-errors-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert Member.objects.count() == before


def test_the_reveal_is_on_record_in_the_operation_log(page, live_server, login, account, tree, register, screenshot):
    # given: a reveal by the committee secretary
    from dangjian.members.services import member_reveal

    secretary = account("shuji", role="committee_secretary", org=tree["A"])
    member_reveal(actor=secretary, member=register[0], field="phone")
    auditor = account("shenji", role="auditor", org=tree["A"], display_name="审计员")
    # when
    login("shenji", device=_enrolled(auditor), next_path="/audit/?action=members.reveal")
    page.wait_for_url("**/audit/?action=members.reveal")
    # then
    rows = page.locator("[data-audit-entries] .list-group-item")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("查看敏感信息")
    expect(rows.first).to_contain_text("shuji")
    expect(rows.first).to_contain_text("李明华")
    rows.first.locator("summary").click()
    expect(rows.first.locator("pre")).to_contain_text('"field": "phone"')
    page.goto("/audit/")
    screenshot("audit-log-desktop")
    page.set_viewport_size(PHONE)
    screenshot("audit-log-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
