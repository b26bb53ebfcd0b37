"""The importer's sealer writes exactly what core.crypto reads."""
from __future__ import annotations

from dangjian.core import crypto
from dangjian.exchange.writer import Sealer


def test_sealer_matches_core_crypto():
    sealer = Sealer()
    token = sealer.encrypt("11010119900307001X")
    assert token.startswith("sm4gcm:1:")
    assert crypto.decrypt(token) == "11010119900307001X"
    assert sealer.blind_index("id_number", "11010119900307001X") == crypto.blind_index("id_number",
                                                                                      "11010119900307001X")
