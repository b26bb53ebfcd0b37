"""Formula injection (issue 7 §3): every spreadsheet the platform hands out is formula-safe.

Generated over the URLconf: every route that looks like a download — its name or path says export,
template or download, or its view's code speaks of xlsx/csv/spreadsheets/attachments — must sit in
``CASES`` (how to download it) or in ``EXEMPT`` with a reason; a new export that is in neither fails
the meta-test. Each case is downloaded by a system administrator after formula payloads were planted
in everything exports show (member and applicant names, job titles, org names, payment references)
and parsed as Excel would read it:

- xlsx: no sheet of the package holds a formula element; every text cell is a string cell, and a text
  cell that starts with a trigger carries Excel's quote prefix (it stays text when edited);
- CSV: no cell starts with a live trigger (``=``, ``+``, ``-``, ``@``, tab, CR, LF, full-width forms):
  the payloads come out as ``'=HYPERLINK(…)``. The one exception is a tab before digits only (ID
  numbers and phones kept as text for Excel), which is inert.

The payloads are written straight into the rows (``update``) on purpose: the writer must be safe
whatever the database holds — data from before input checks existed, from an import, from SCIM.
"""
from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from dangjian.core.spreadsheet import TRIGGERS
from dangjian.exchange.choices import ImportKind

pytestmark = pytest.mark.django_db

PAYLOADS = ('=HYPERLINK("http://x","y")', "+1", "-1+1", "@SUM(1)", "\t=1", "\r=1")
DOWNLOAD_WORDS = re.compile(r"export|template|download|xlsx|csv", re.I)
DOWNLOAD_CODE = re.compile(r"xlsx|csv|spreadsheet|TableWriter|XlsxBook|FileResponse|as_attachment|attachment;", re.I)


@dataclass(frozen=True)
class Download:
    """One way to fetch an export: URL kwargs and query, the formats it answers in, and the payloads
    that must show up in it (proof that the planted data reached the file)."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    fmt: str = "xlsx"
    expect: tuple[str, ...] = PAYLOADS


def _kinds() -> list[Download]:
    return [*(Download(kwargs={"kind": kind}, expect=()) for kind in ImportKind.values),
            Download(kwargs={"kind": "members"}, query={"profile": "national-members"})]


CASES: dict[str, list[Download]] = {
    "exchange:export_members": [Download(query={"format": f, "unmasked": "on"}, fmt=f) for f in ("xlsx", "csv")],
    "exchange:export_orgs": [Download(query={"format": f}, fmt=f) for f in ("xlsx", "csv")],
    # every kind's template; the national layout's branch-name dropdown puts org names on the code sheet
    "exchange:template": _kinds(),
    "development:export": [Download(query={"unmasked": "1"})],
    "dues:export": [Download(query={"month": "2024-04", "format": f}, fmt=f) for f in ("xlsx", "csv")],
    "health:monitor_export": [Download(query={"org": "G"}, expect=PAYLOADS[:2]),
                              Download(query={"org": "P"}, expect=PAYLOADS[2:])],
}
EXEMPT: dict[str, str] = {
    "exchange:export": "the HTML page with the export forms; its downloads are the two exchange:export_* routes",
    "meetings:attachment_download": "hands back a file a person uploaded, byte for byte; no spreadsheet is generated",
}


# --- the routes --------------------------------------------------------------------------------------


def _routes() -> list[tuple[str, str, Callable]]:
    """(URL name or path, path pattern, view) of every route of the URLconf, the API's included."""
    found: list[tuple[str, str, Callable]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace or "") if x)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                name = ":".join(x for x in (namespace, p.name or "") if x) if p.name else route
                found.append((name, route, p.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


def _looks_like_download(name: str, route: str, view: Callable) -> bool:
    if DOWNLOAD_WORDS.search(name) or DOWNLOAD_WORDS.search(route):
        return True
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return False
    return bool(DOWNLOAD_CODE.search(source))


def test_every_download_route_is_checked_or_exempt():
    routes = _routes()
    downloads = {name for name, route, view in routes if _looks_like_download(name, route, view)}
    # then: nothing that produces a file is left out, and no entry names a route that is gone
    assert sorted(downloads - set(CASES) - set(EXEMPT)) == []
    assert sorted((set(CASES) | set(EXEMPT)) - {name for name, _route, _view in routes}) == []


# --- the world with payloads --------------------------------------------------------------------------


@pytest.fixture
def planted(tree, member_factory, user_factory):
    """Payloads in org names (A's two branches, a committee P with the other four under it), member names
    and job titles, applicant names, payment references; paid dues in April 2024."""
    from dangjian.development.models import Applicant, Pipeline
    from dangjian.development.services import applicant_create
    from dangjian.dues.models import DuesPayment
    from dangjian.dues.services import bills_generate, payment_record, profile_set
    from dangjian.health.services import findings_scan
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization
    from dangjian.orgs.services import org_create
    from tests.fixtures import make_id_number

    # orgs: A1, A2 renamed; P (under G) with four branches named after the other payloads
    p = org_create(actor=None, parent=tree["G"], name="丙", code="P", org_type="committee")
    branches = [tree["A1"], tree["A2"]]
    for n in range(4):
        branch = org_create(actor=None, parent=Organization.objects.get(pk=p.pk), name=f"丙{n}", code=f"P{n}",
                            org_type="branch")
        tree[branch.code] = branch
        branches.append(branch)
    # a committee name shows in the monitor at G (A and B are G's children)
    Organization.objects.filter(code="A").update(name=PAYLOADS[0])
    Organization.objects.filter(code="B").update(name=PAYLOADS[1])
    Organization.objects.filter(code="P").update(name="丙公司党委")
    for branch, payload in zip(branches, PAYLOADS, strict=True):
        Organization.objects.filter(pk=branch.pk).update(name=payload)
    members = []
    for n, (branch, payload) in enumerate(zip(branches, PAYLOADS, strict=True)):
        member = member_factory(branch.code)
        Member.objects.filter(pk=member.pk).update(name=payload, job_title=payload)
        profile_set(actor=None, member=member, category="in_service", base="5000", on=dt.date(2024, 1, 1))
        members.append(member)
        birth = dt.date(1996, 1, 1) + dt.timedelta(days=n)
        pipeline = applicant_create(actor=None, name=f"申请人{n}", gender="M", birth_date=birth,
                                    id_number=make_id_number(birth, 301 + 2 * n, area="320102"),
                                    phone=f"137{n:08d}", education="bachelor", job_title="技术员",
                                    org=Organization.objects.get(pk=branch.pk), applied_on=dt.date(2022, 3, 1))
        Applicant.objects.filter(pk=pipeline.applicant_id).update(name=payload, job_title=payload)
        Pipeline.objects.filter(pk=pipeline.pk).update(stage="activist", activist_on=dt.date(2022, 4, 1))
    bills_generate(actor=None, period="2024-04")
    for member, payload in zip(members, PAYLOADS, strict=True):
        payment = payment_record(actor=None, member=Member.objects.get(pk=member.pk), amount="50",
                                 reference="R", channel="bank", paid_on=dt.date(2024, 4, 20))
        DuesPayment.objects.filter(pk=payment.pk).update(reference=payload)
    findings_scan(today=dt.date(2025, 6, 15))
    return user_factory("admin", "sysadmin", None, scope="all")


def _signin(client, user):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the checks ---------------------------------------------------------------------------------------


def _live_csv(value: str) -> bool:
    """A cell Excel would evaluate: it starts with a trigger (a tab before digits only is inert)."""
    return value[:1] in TRIGGERS and not re.fullmatch(r"\t[0-9Xx*]+", value)


def _check_xlsx(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = package.read(name).decode("utf-8")
                assert not re.search(r"<(\w+:)?f[ >/]", xml), f"formula element in {name}"
    seen: set[str] = set()
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    if cell.value[:1] in TRIGGERS:
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
    return seen


def _check_csv(data: bytes) -> set[str]:
    text = data.decode("utf-8-sig")
    seen: set[str] = set()
    for row in csv.reader(io.StringIO(text, newline="")):
        for value in row:
            assert not _live_csv(value), repr(value)
            seen.add(value[1:] if value.startswith("'") else value)
    return seen


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_writes_no_live_formula(name, planted, client):
    # given: payloads planted everywhere, a system administrator signed in
    _signin(client, planted)
    for case in CASES[name]:
        # when
        response = client.get(reverse(name, kwargs=case.kwargs), case.query)
        # then
        assert response.status_code == 200, (name, case, response.status_code)
        data = _body(response)
        seen = _check_xlsx(data) if case.fmt == "xlsx" else _check_csv(data)
        seen = {s.replace("\r", "\n") for s in seen}  # XML turns a CR into a LF
        missing = [p for p in case.expect if not any(p.replace("\r", "\n") in s for s in seen)]
        assert missing == [], (name, case.query, case.kwargs)
