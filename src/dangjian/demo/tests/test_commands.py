"""``dangjian demo`` and ``dangjian setup_demo``."""
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.models import RoleAssignment, User
from dangjian.audit.verify import verify_chain
from dangjian.members.models import Member


@pytest.mark.django_db
def test_demo_command_builds_and_prints_the_rate():
    out = io.StringIO()
    call_command("demo", "--members", "200", "--seed", "9", "--orgs-per-branch", "1.6", stdout=out)
    text = out.getvalue()
    assert "200 members" in text and "members/s" in text
    assert Member.objects.count() == 200
    with pytest.raises(CommandError):
        call_command("demo", members=200, stdout=io.StringIO())


@pytest.mark.django_db
def test_setup_demo_creates_logins_once_and_prints_the_admin_password_once():
    # given an empty database
    out = io.StringIO()
    # when
    call_command("setup_demo", members=300, stdout=out)
    # then
    text = out.getvalue()
    admin_row = next(line for line in text.splitlines() if re.search(r"\badmin\b", line))
    password = re.search(r"admin\s*│\s*(\S+)", admin_row).group(1)
    assert text.count(password) == 1
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert "http://127.0.0.1:8000" in text and "TOTP" in text
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"admin", "zuzhibu", "shenji", "dangwei", "zhibu", "dangyuan"}
    grants = {(a.user.username, a.role.code, a.scope) for a in RoleAssignment.objects.select_related("user", "role")}
    assert grants >= {("zuzhibu", "org_dept", "subtree"), ("shenji", "auditor", "subtree"),
                      ("dangwei", "committee_secretary", "subtree"), ("zhibu", "branch_secretary", "org"),
                      ("dangyuan", "member", "self")}
    secretary = Member.objects.get(user=users["zhibu"])
    assignment = RoleAssignment.objects.get(user=users["zhibu"])
    assert secretary.org_id == assignment.org_id
    assert secretary.seats.filter(position="secretary", term__org_id=assignment.org_id).exists()
    plain = Member.objects.get(user=users["dangyuan"])
    assert plain.org_id == RoleAssignment.objects.get(user=users["dangyuan"]).org_id
    committee = RoleAssignment.objects.get(user=users["dangwei"]).org
    assert committee.depth == 2 and Member.objects.get(user=users["dangwei"]).org.path.startswith(committee.path)
    for username in ("zuzhibu", "shenji", "dangwei", "zhibu", "dangyuan"):
        login_password = re.search(rf"│ {username}\s*│\s*(\S+)", text).group(1)
        assert users[username].check_password(login_password)
    assert verify_chain().ok

    # when run again (the activity admitted the planted probationary members: 300 built, a few more now)
    members = Member.objects.count()
    assert 300 <= members <= 310
    again = io.StringIO()
    call_command("setup_demo", members=300, stdout=again)
    # then nothing changes and one line says so
    assert len(again.getvalue().strip().splitlines()) == 1
    assert "dangjian.sqlite3" in again.getvalue() or "dropdb" in again.getvalue()
    assert User.objects.count() == 6 and Member.objects.count() == members


def test_the_activity_summary_names_kinds_stages_and_rules_in_chinese():
    # given: what a demo build counted (issue 9 §3: `make run` printed committee_meeting 1,423 …)
    import datetime as dt

    from dangjian.demo.activity import ActivityResult
    from dangjian.demo.history_dues import DuesHistory
    from dangjian.demo.history_meetings import MeetingHistory
    from dangjian.demo.problems import Planted

    result = ActivityResult(
        seed=1, today=dt.date(2026, 1, 1),
        meetings=MeetingHistory(meetings=1500, by_kind={"committee_meeting": 1423, "theme_day": 77}),
        dues=DuesHistory(periods=["2025-01", "2025-12"]),
        planted=Planted(pipelines={"activist": 16, "overdue_talk": 2}),
        findings={"dues.arrears": 43, "org.term_expiring": 5})
    # when
    text = "\n".join(result.summary_lines())
    # then
    assert "支委会 1,423" in text and "主题党日 77" in text
    assert "入党积极分子 16" in text and "谈话逾期的申请人 2" in text
    assert "党费欠缴临近六个月 43" in text and "委员会任期即将届满 5" in text
    assert not re.search(r"[a-z]+[._][a-z_]+", text)


@pytest.mark.django_db
def test_setup_demo_can_leave_the_logins_to_the_server(tmp_path):
    # given: make run's way: the logins go to a file that `dangjian serve --banner` prints and deletes
    path = tmp_path / "var" / "demo-logins.txt"
    out = io.StringIO()
    # when
    call_command("setup_demo", members=120, no_activity=True, logins_file=path, stdout=out)
    # then: the screen says where they wait; the file (owner-only) has them, with the recovery commands
    text, logins = out.getvalue(), path.read_text(encoding="utf-8")
    assert str(path) in text and "│ admin" not in text
    assert (path.stat().st_mode & 0o777) == 0o600
    password = re.search(r"admin\s*│\s*(\S+)", logins).group(1)
    assert User.objects.get(username="admin").check_password(password)
    assert "dangjian changepassword" in logins and "dangjian unlock" in logins
