"""The CLI's system actor is explicit, with scope "all" (issue 8, point 7)."""
import pytest

from dangjian.audit.models import AuditEntry
from dangjian.core.scoping import SYSTEM, resolver
from dangjian.members.models import Member
from dangjian.members.selectors import member_list

pytestmark = pytest.mark.django_db


def test_the_system_sees_everything_and_holds_every_permission(tree, member_factory):
    # given
    members = {member_factory("A1").pk, member_factory("B1").pk}
    # when / then
    assert set(member_list(actor=SYSTEM).values_list("pk", flat=True)) == members
    assert set(Member.objects.for_actor(SYSTEM, "members.reveal").values_list("pk", flat=True)) == members
    assert resolver().has_perm_anywhere(SYSTEM, "audit.view") is True


def test_the_cli_acts_as_the_system_and_the_log_names_it(tree, capsys):
    # given
    from django.core.management import call_command

    from dangjian.accounts.services import user_create

    user_create(actor=None, username="wang", password=None)
    # when
    call_command("grant", "wang", "party_worker", "A1", "--scope", "org")
    # then
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id, entry.actor_name) == ("accounts.role_grant", None, "system")
