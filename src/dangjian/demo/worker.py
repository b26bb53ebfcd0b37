"""Member preparation for the demo build: generate a chunk of branches, check every row, encrypt
and blind-index, and return rows in their stored form. Runs in the building process or in worker
processes (``multiprocessing`` spawn) — the result is the same either way, see
:mod:`dangjian.demo.people`.

This module imports no models at import time: a spawned worker imports it before Django is set
up, and sets Django up in :func:`init`.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dangjian.orgs.snapshots import OrgInfo

if TYPE_CHECKING:
    from dangjian.members.rules import MemberRules

__all__ = ["Config", "Prepared", "Sealer", "init", "member_rules", "prepare"]

_PREFIX = "sm4gcm:1:"


class Sealer:
    """``core.crypto.encrypt`` and ``blind_index`` with the key objects built once (same output
    format; the builder checks it against ``core.crypto`` before it starts)."""

    def __init__(self, field_key_hex: str, blind_key_hex: str) -> None:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        self._cipher, self._gcm = Cipher, modes.GCM
        self._algorithm = algorithms.SM4(bytes.fromhex(field_key_hex)[:16])
        self._mac = hmac.new(bytes.fromhex(blind_key_hex), digestmod=hashlib.sha256)

    def encrypt(self, plaintext: str, nonce: bytes | None = None) -> str:
        nonce = nonce or os.urandom(12)
        enc = self._cipher(self._algorithm, self._gcm(nonce)).encryptor()
        body = enc.update(plaintext.encode("utf-8")) + enc.finalize()
        return _PREFIX + base64.b64encode(nonce + body + enc.tag).decode("ascii")

    def blind_index(self, kind: str, value: str) -> str:
        mac = self._mac.copy()
        mac.update(f"{kind}:{value}".encode())
        return mac.hexdigest()[:40]


@dataclass(frozen=True)
class Config:
    seed: int
    today: dt.date
    members: int
    field_key: str
    blind_key: str
    sample_every: int
    strict: bool
    orgs: dict[int, OrgInfo]
    unit_ids: frozenset[int]


@dataclass
class Prepared:
    rows: list[tuple] = field(default_factory=list)     # stored form, without id and timestamps
    samples: list[tuple[int, dict]] = field(default_factory=list)            # (row number, row)
    failures: list[tuple[int, dict, list]] = field(default_factory=list)     # rejected by the fast rules
    seats: list[tuple[int, int, str]] = field(default_factory=list)          # (branch idx, row offset, position)
    seniors: list[tuple[int, list[int]]] = field(default_factory=list)       # (branch idx, row offsets)
    org_pks: list[int] = field(default_factory=list)


class _State:
    config: Config
    people: Any
    validator: Any
    sealer: Sealer


_state: _State | None = None


def init(config: Config, setup_django: bool = True) -> None:
    global _state
    if setup_django:
        import django

        django.setup()
    from dangjian.demo.people import PeopleGenerator

    state = _State()
    state.config = config
    state.people = PeopleGenerator(seed=config.seed, today=config.today, members=config.members)
    state.validator = member_rules(today=config.today, orgs=config.orgs, unit_ids=config.unit_ids)
    state.sealer = Sealer(config.field_key, config.blind_key)
    _state = state


def member_rules(*, today: dt.date, orgs: dict[int, OrgInfo], unit_ids: Any) -> MemberRules:
    """The register's rules (``members.rules.MemberRules``) as the build checks every member row: with
    the cached ID number parser, so un-normalised numbers are refused too."""
    from dangjian.members.rules import MemberRules

    return MemberRules(today=today, orgs=orgs, unit_ids=unit_ids, fast_id_numbers=True)


def prepare(branches: list) -> Prepared:
    """Rows of these branches (``people.BranchSpec``), checked, sealed, with seat choices."""
    from dangjian.demo.people import branch_positions

    assert _state is not None, "worker.init() first"
    config, people, validator, sealer = _state.config, _state.people, _state.validator, _state.sealer
    today_ord = config.today.toordinal()
    senior_age = 25 * 365
    out = Prepared()
    rows_out = out.rows
    encrypt, bidx = sealer.encrypt, sealer.blind_index
    nonces = os.urandom(12 * 2 * sum(spec.size for spec in branches))
    n = 0
    for spec in branches:
        out.org_pks.append(spec.org_pk)
        rows = people.branch_rows(spec)
        base = len(rows_out)
        eligible, full = [], 0
        for k, row in enumerate(rows):
            row_no = spec.first + k + 1
            problems = validator.errors(row)
            if problems:
                out.failures.append((row_no, row, problems))
            elif config.strict or row_no % config.sample_every == 0:
                out.samples.append((row_no, row))
            id_number, phone = row["id_number"], row["phone"]
            full_on, hire = row["full_member_on"], row["hire_date"]
            rows_out.append((
                row["name"], row["gender"], row["ethnicity"], row["birth_date"].isoformat(),
                encrypt(id_number, nonces[n:n + 12]), bidx("id_number", id_number), id_number[-4:],
                encrypt(phone, nonces[n + 12:n + 24]) if phone else "", bidx("phone", phone) if phone else "",
                row["education"], row["job_title"], row["unit_id"], hire.isoformat() if hire else None,
                row["category"], row["joined_on"].isoformat(), full_on.isoformat() if full_on else None,
                row["org_id"], row["party_group_id"], row["status"], None,
            ))
            n += 24
            if row["category"] == "full":
                full += 1
                if row["status"] == "normal" and (spec.kind == "retiree"
                                                  or today_ord - row["birth_date"].toordinal() > senior_age):
                    eligible.append(k)
        # DOMAIN §2 branch committee; the seats of the committees above are filled from the most
        # senior members of their first branches (head-office branches come first).
        positions = branch_positions(full)
        rng = random.Random(f"dangjian-demo:{config.seed}:seats:{spec.idx}")
        holders = rng.sample(eligible, min(len(positions), len(eligible)))
        out.seats.extend((spec.idx, base + k, pos) for pos, k in zip(positions, holders, strict=False))
        if spec.kind != "retiree":
            seniors = sorted(eligible, key=lambda k: (rows[k]["joined_on"], k))[:2]
            out.seniors.append((spec.idx, [base + k for k in seniors]))
    return out
