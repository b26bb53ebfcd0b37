"""SM4-GCM field encryption, blind indexes and masking."""
import pytest
from cryptography.exceptions import InvalidTag

from dangjian.core import crypto
from dangjian.core.masking import mask_id_number, mask_phone


def test_encrypt_round_trips_and_is_randomised():
    a = crypto.encrypt("34052419800101001X")
    b = crypto.encrypt("34052419800101001X")
    assert a != b and a.startswith("sm4gcm:1:")
    assert crypto.decrypt(a) == "34052419800101001X"


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("13812345678")
    raw = bytearray(crypto.base64.b64decode(token[len("sm4gcm:1:"):]))
    raw[14] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt("sm4gcm:1:" + crypto.base64.b64encode(bytes(raw)).decode())


def test_blind_index_is_deterministic_and_namespaced():
    assert crypto.blind_index("id_number", "X") == crypto.blind_index("id_number", "X")
    assert crypto.blind_index("id_number", "X") != crypto.blind_index("phone", "X")


def test_masks():
    assert mask_id_number("51010419900101123X") == "5101**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == ""


@pytest.mark.django_db
def test_values_are_encrypted_at_rest(member_factory):
    from django.db import connection

    member = member_factory("A1")
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM members_member WHERE id = %s", [member.pk])
        stored_id, stored_phone = cur.fetchone()
    assert member.id_number not in stored_id and stored_id.startswith("sm4gcm:1:")
    assert member.phone not in stored_phone


def test_bytes_round_trip_and_tamper_detection():
    token = crypto.encrypt_bytes(b"\xef\xbb\xbf110101199003070019,13812345678")
    assert token.startswith(b"sm4gcm:1:") and b"110101199003070019" not in token
    assert crypto.decrypt_bytes(token) == b"\xef\xbb\xbf110101199003070019,13812345678"
    assert crypto.encrypt_bytes(b"x") != crypto.encrypt_bytes(b"x")  # a fresh nonce each time
    with pytest.raises(InvalidTag):
        crypto.decrypt_bytes(token[:-1] + bytes([token[-1] ^ 1]))
