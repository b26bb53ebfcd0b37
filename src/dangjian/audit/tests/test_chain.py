"""Tamper tests of the operation log: every edit made behind the application's back is found,
and `dangjian audit verify` names the first bad entry's sequence number."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from dangjian.audit.choices import AuditAction
from dangjian.audit.models import AuditChainHead, AuditEntry
from dangjian.audit.services import record
from dangjian.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(db):
    with transaction.atomic():
        for i in range(6):
            record(actor=None, actor_name=f"user{i}", action=AuditAction.ORG_UPDATED, org_path=f"000{i}",
                   after={"i": i, "name": "组织"})
    return list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))


def _sql(statement, params=()):
    with connection.cursor() as cur:
        cur.execute(statement, params)


def _verify_fails_at(seq):
    result = verify_chain()
    assert not result.ok
    assert result.bad_seq == seq
    with pytest.raises(CommandError, match=f"seq={seq}"):
        call_command("audit", "verify")


def test_intact_chain_verifies(chain, capsys):
    assert chain == [1, 2, 3, 4, 5, 6]
    assert verify_chain().ok
    call_command("audit", "verify")
    assert "6 entries verified" in capsys.readouterr().out


def test_modified_content_is_found(chain):
    _sql("UPDATE audit_auditentry SET actor_name = 'mallory' WHERE seq = 3")
    _verify_fails_at(3)


def test_modified_json_is_found(chain):
    _sql("UPDATE audit_auditentry SET after = %s WHERE seq = 4", ['{"i": 40, "name": "组织"}'])
    _verify_fails_at(4)


def test_deleted_entry_is_found(chain):
    _sql("DELETE FROM audit_auditentry WHERE seq = 2")
    _verify_fails_at(2)


def test_deleted_tail_is_found_through_the_head(chain):
    _sql("DELETE FROM audit_auditentry WHERE seq = 6")
    _verify_fails_at(6)


def test_inserted_entry_is_found(chain):
    # an attacker renumbers 4..6 to 5..7 and slips a forged entry in as seq 4
    _sql("UPDATE audit_auditentry SET seq = seq + 100 WHERE seq >= 4")
    _sql("UPDATE audit_auditentry SET seq = seq - 99 WHERE seq >= 100")
    forged = AuditEntry.objects.get(seq=3)
    _sql(
        "INSERT INTO audit_auditentry (seq, created_at, actor_id, actor_name, action, target_type, target_id,"
        " target_repr, org_path, before, after, reason, request_id, ip, channel, algorithm, prev_hash, hash)"
        " VALUES (4, %s, NULL, 'forger', 'orgs.update', '', '', '', '0003', NULL, NULL, '', 'x', NULL, 'cli',"
        " 'sha256', %s, %s)",
        [forged.created_at, forged.hash, "f" * 64],
    )
    _sql("UPDATE audit_auditchainhead SET last_seq = 7")
    _verify_fails_at(4)


def test_reordered_entries_are_found(chain):
    _sql("UPDATE audit_auditentry SET seq = 100 WHERE seq = 2")
    _sql("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
    _sql("UPDATE audit_auditentry SET seq = 3 WHERE seq = 100")
    _verify_fails_at(2)


def test_recomputed_single_hash_still_breaks_the_next_link(chain):
    from dangjian.audit.services import HASHED_FIELDS, entry_digest

    _sql("UPDATE audit_auditentry SET actor_name = 'mallory' WHERE seq = 3")
    row = AuditEntry.objects.values(*HASHED_FIELDS).get(seq=3)
    _sql("UPDATE audit_auditentry SET hash = %s WHERE seq = 3", [entry_digest(row)])
    _verify_fails_at(4)


def test_unregistered_action_is_refused(db):
    with pytest.raises(ValueError, match="unregistered"):
        record(actor=None, action="orgs.teleport")


def test_sm3_is_selectable_and_verifies(db, settings):
    settings.AUDIT_HASH_ALGORITHM = "sm3"
    entry = record(actor=None, action=AuditAction.ORG_CREATED, org_path="0001")
    assert entry.algorithm == "sm3"
    assert len(entry.hash) == 64
    assert verify_chain().ok
    _sql("UPDATE audit_auditentry SET org_path = '0002' WHERE seq = %s", [entry.seq])
    assert verify_chain().bad_seq == entry.seq


def test_head_tracks_last_entry(chain):
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEntry.objects.order_by("-seq").first()
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)
