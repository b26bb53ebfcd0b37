"""Member development in a real browser: the pipeline board (columns by stage, overdue highlighted) on a
desktop and at phone width, a person's timeline, and a step form that refuses a step taken too early
at its field, saying from when it is possible. Screenshots go to test-artifacts/."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_assets_loaded
from tests.fixtures import make_id_number

pytestmark = pytest.mark.browser


@pytest.fixture
def pipelines(tree, member_factory):
    """In branch A1: an applicant whose talk is long overdue, and an activist (with a contact) whose
    one year of cultivation ends on 2023-04-01; in B1 an applicant the A1 worker must not see."""
    from dangjian.development.services import applicant_create, step_record

    contact = member_factory("A1", name="联系人")

    def apply(name, org, seq, applied):
        birth = dt.date(1996, 1, 1) + dt.timedelta(days=seq)
        return applicant_create(actor=None, name=name, id_number=make_id_number(birth, 90 + seq * 2, area="320102"),
                                org=tree[org], applied_on=applied)

    late = apply("迟谈话", "A1", 1, dt.date(2025, 1, 6))
    activist = apply("积极分子甲", "A1", 2, dt.date(2022, 3, 1))
    for code, on, data in (
        ("talk", dt.date(2022, 3, 15), {}),
        ("activist_confirm", dt.date(2022, 4, 1), {}),
        ("activist_record", dt.date(2022, 4, 5), {}),
        ("contacts", dt.date(2022, 4, 6), {"contacts": [contact.pk]}),
        ("activist_education", dt.date(2022, 10, 1), {}),
    ):
        step_record(actor=None, pipeline=activist, code=code, on=on, **data)
    apply("乙支部申请人", "B1", 3, dt.date(2025, 1, 6))
    return {"late": late, "activist": activist}


def test_board_shows_stages_with_overdue_highlighted_on_desktop_and_phone(page, live_server, login, account, tree,
                                                                         pipelines, screenshot):
    # given
    account("ganshi", role="party_worker", org=tree["A1"], scope="org")
    login("ganshi", next_path="/development/")
    page.wait_for_url("**/development/")
    assert_assets_loaded(page)
    # then: five columns, the overdue card highlighted, branch B absent
    expect(page.locator("[data-board] [data-stage]")).to_have_count(5)
    late = page.locator(f"[data-pipeline='{pipelines['late'].pk}']")
    expect(late).to_have_class("card dev-card is-overdue")
    expect(page.locator("[data-stage=activist]")).to_contain_text("积极分子甲")
    expect(page.locator("[data-board]")).not_to_contain_text("乙支部申请人")
    screenshot("development-board-desktop")
    # when: on a phone the columns stack without sideways scrolling
    page.set_viewport_size(PHONE)
    # then
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    boxes = [page.locator(f"[data-stage={s}]").bounding_box() for s in ("applicant", "activist")]
    assert boxes[1]["y"] > boxes[0]["y"] and abs(boxes[1]["x"] - boxes[0]["x"]) < 2
    screenshot("development-board-phone")


def test_step_taken_too_early_is_refused_at_its_field_then_recorded(page, live_server, login, account, tree,
                                                                    pipelines, screenshot):
    # given
    activist = pipelines["activist"]
    account("ganshi", role="party_worker", org=tree["A1"], scope="org")
    login("ganshi", next_path=f"/development/{activist.pk}/")
    page.wait_for_url(f"**/development/{activist.pk}/")
    expect(page.locator("[data-step=talk]")).to_have_attribute("data-status", "done")
    page.set_viewport_size(PHONE)
    # when: confirming the development object one day before a year of cultivation
    page.locator("[data-step=candidate_confirm] a").click()
    page.fill("#id_on", "2023-03-31")
    page.fill("#id_notice_start", "2023-03-20")
    page.fill("#id_notice_end", "2023-03-24")
    page.locator("[data-step-form] button[type=submit]").click()
    # then
    expect(page.locator("[data-field-error=on]")).to_contain_text("2023-04-01 起方可列为发展对象")
    expect(page.locator("#id_on")).to_have_class("form-control is-invalid")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("development-step-error-phone")
    # when: on the day the year is complete
    page.fill("#id_on", "2023-04-01")
    page.locator("[data-step-form] button[type=submit]").click()
    # then: back on the timeline, the step is done and the stage has moved on
    page.wait_for_url(f"**/development/{activist.pk}/")
    expect(page.locator("[data-step=candidate_confirm]")).to_have_attribute("data-status", "done")
    expect(page.locator("h1 + .badge")).to_have_text("发展对象")
    screenshot("development-timeline-phone")
