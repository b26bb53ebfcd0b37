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
