"""Adding an app edits no other app's files (issue 8): tests/declapp declares a permission, the role that
gets it by default, a menu entry and a scheduled task in its own declarations.py, and each one is
collected — into the roles, the navigation and the worker's schedule."""
from __future__ import annotations

from pathlib import Path

import pytest

from dangjian.accounts.models import Role
from dangjian.api.tests.fixtures import login_session
from dangjian.web.tests.test_navigation import menu_of

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = ["示例", [["示例页面", "/declapp/"]]]


@pytest.fixture
def routed(settings):
    """The project's URLs plus the test app's page."""
    settings.ROOT_URLCONF = "tests.declapp.root_urls"


def test_its_permission_is_declared_and_granted_by_default(db):
    from dangjian.accounts.choices import ALL_PERMISSIONS, DEFAULT_ROLES

    assert str(ALL_PERMISSIONS["declapp.view"]) == "查看示例应用"
    assert [code for code, (_n, perms, _m) in DEFAULT_ROLES.items() if "declapp.view" in perms] == [
        "sysadmin", "party_worker"]
    # and: the roles seeded by the migrations hold it
    assert sorted(r.code for r in Role.objects.all() if "declapp.view" in r.permissions) == ["party_worker",
                                                                                            "sysadmin"]


def test_its_menu_entry_shows_for_a_holder_of_the_permission_only(client, tree, user_factory, routed):
    # given
    worker = user_factory("worker", "party_worker", tree["A1"])
    member = user_factory("member", "member", tree["A1"])
    # when
    with_perm = menu_of(login_session(client, worker).get("/").content.decode())
    without = menu_of(login_session(client, member).get("/").content.decode())
    # then: in its declared place, between 组织生活 (30) and 党费 (40)
    assert [item[0] for item in with_perm] == ["组织", "党员", "组织生活", "示例", "党费", "API"]
    assert with_perm[3] == EXAMPLE
    assert EXAMPLE not in without and [item[0] for item in without] == ["组织", "党员", "组织生活", "党费", "API"]
    # and: the page itself answers its holder and refuses the other
    assert login_session(client, worker).get("/declapp/").status_code == 200
    assert login_session(client, member).get("/declapp/").status_code == 403


def test_without_its_urls_the_entry_is_left_out(client, tree, user_factory):
    worker = user_factory("worker", "party_worker", tree["A1"])
    html = login_session(client, worker).get("/").content.decode()
    assert EXAMPLE not in menu_of(html)


def test_its_scheduled_task_joins_the_default_schedule(db):
    from dangjian.integration.models import ScheduledJob
    from dangjian.integration.schedule import DEFAULT_SCHEDULE
    from dangjian.integration.services import schedule_sync

    assert [(e.task_path, e.spec) for e in DEFAULT_SCHEDULE if e.name == "declapp.tick"] == [
        ("tests.declapp.tasks.tick", "0 4 * * *")]
    schedule_sync()
    assert ScheduledJob.objects.get(name="declapp.tick").task_path == "tests.declapp.tasks.tick"


def test_nothing_outside_the_app_names_it():
    # the test settings install it; no other code or template of the project knows it exists
    # (the project's own source only: not the egg-info that `pip install -e` writes beside it)
    mentions = sorted(str(path.relative_to(REPO)) for path in (REPO / "src" / "dangjian").rglob("*")
                      if path.is_file() and path.suffix in (".py", ".html", ".txt")
                      and "tests" not in path.parts and "declapp" in path.read_text(encoding="utf-8"))
    assert mentions == ["src/dangjian/settings_test.py"]
