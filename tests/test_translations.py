"""English catalogs are complete and compiled (CONTRIBUTING.md, "Translations").

Source strings are Simplified Chinese; English comes from gettext catalogs. One rule decides where an
entry lives: every installed app keeps its own ``<app>/locale/en/LC_MESSAGES/django.po`` (+ the
compiled ``.mo``, committed); the project catalog ``src/dangjian/locale`` (``LOCALE_PATHS``) holds only
the strings of code outside the apps (``templates/``, the ``api`` package, top-level modules).

For every catalog in :data:`FINISHED` (and the project catalog):

1. the strings are extracted exactly as ``makemessages`` does (its own command, run on a temporary
   copy of the sources, so templates, ``blocktrans`` and ``pgettext`` are handled the same way), and
   each one must have a non-fuzzy English ``msgstr`` in the committed ``.po``;
2. the committed ``.mo`` must hold exactly what compiling the committed ``.po`` gives (contents, not
   modification times: a git checkout sets every file's time, so "older than" proves nothing);
3. named placeholders (``%(name)s``) survive translation.

Across catalogs, one Chinese string has one English translation: Django merges every catalog into
one at run time (``LOCALE_PATHS`` first, then ``INSTALLED_APPS`` in order), so a second, different
English for the same ``msgid`` would silently never show.

Apps still being written are in :data:`PENDING` with the reason; remove your app from it (and add it to
``FINISHED``) once its catalog is complete. A meta-test keeps both lists equal to the apps on disk.

Run alone: ``.venv/bin/pytest tests/test_translations.py`` (GNU gettext must be installed).
"""
from __future__ import annotations

import datetime as dt
import gettext
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

import dangjian

SRC = Path(dangjian.__file__).resolve().parent
REPO = SRC.parents[1]
PROJECT = "project"  # the catalog in src/dangjian/locale: templates/, api/ and top-level modules

# Apps whose English is complete: the guard applies.
FINISHED = ("core", "ui", "audit", "orgs", "accounts", "members", "development", "dues", "web", "demo", "meetings",
            "integration", "transfers", "health")
# Apps not (yet) guarded, with the reason. Remove yours when its catalog is complete.
PENDING = {
    "exchange": "no English catalog yet (follow-up)",
}

PO = Path("locale", "en", "LC_MESSAGES", "django.po")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def _app_dirs() -> set[str]:
    return {p.parent.name for p in SRC.glob("*/apps.py")}


def _root(name: str) -> Path:
    return SRC if name == PROJECT else SRC / name


def _regenerate_command(name: str) -> str:
    if name == PROJECT:
        return ("cd src/dangjian && dangjian makemessages -l en --no-obsolete --add-location file "
                "$(for d in */apps.py; do printf -- '--ignore=%s/?* ' \"${d%/apps.py}\"; done)")
    return f"cd src/dangjian/{name} && dangjian makemessages -l en --no-obsolete --add-location file"


def _copy_sources(name: str, dest: Path) -> None:
    """The files makemessages would read for this catalog, without any locale folder."""
    skip = shutil.ignore_patterns("__pycache__", "locale", "*.pyc", "*.mo", "*.po")
    if name != PROJECT:
        shutil.copytree(SRC / name, dest, ignore=skip)
        return
    dest.mkdir()
    apps = _app_dirs()
    for entry in SRC.iterdir():
        if entry.name in apps or entry.name in ("locale", "__pycache__"):
            continue
        if entry.is_dir():
            shutil.copytree(entry, dest / entry.name, ignore=skip)
        elif entry.suffix in (".py", ".html", ".txt"):
            shutil.copy2(entry, dest / entry.name)


def _compile(po: Path, mo: Path) -> dict:
    """The catalog of *po* as Django would load it (msgfmt drops fuzzy and untranslated entries)."""
    result = subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"msgfmt refused {po}:\n{result.stderr}"
    with mo.open("rb") as fp:
        return gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]


def _extracted_keys(name: str, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> set:
    """Catalog keys (``msgid``, ``ctxt\\x04msgid`` or ``(msgid, n)``) that makemessages extracts."""
    sources = tmp / "src"
    _copy_sources(name, sources)
    (sources / "locale").mkdir()  # else makemessages would fall back to LOCALE_PATHS (the real tree)
    monkeypatch.chdir(sources)
    with override_settings(LOCALE_PATHS=[]):
        call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True, add_location="file")
    fresh = sources / PO
    if not fresh.exists():
        return set()  # nothing translatable
    # msgen copies each msgid into its msgstr, so compiling keeps every entry
    english = tmp / "extracted.po"
    subprocess.run(["msgen", "-o", str(english), str(fresh)], check=True, capture_output=True)
    return set(_compile(english, tmp / "extracted.mo")) - {""}


def _committed(name: str, tmp: Path) -> dict:
    po = _root(name) / PO
    return _compile(po, tmp / "committed.mo") if po.exists() else {}


def _show(key) -> str:
    text = key[0] + f" [plural {key[1]}]" if isinstance(key, tuple) else key
    return text.replace("\x04", " | context ")


def test_every_app_is_either_finished_or_pending():
    apps = _app_dirs()
    assert not set(FINISHED) & set(PENDING), "an app is listed both as finished and as pending"
    assert apps - set(FINISHED) - set(PENDING) == set(), (
        "new app: add it to FINISHED (with a complete English catalog) or to PENDING with a reason")
    assert (set(FINISHED) | set(PENDING)) - apps == set(), "listed apps that no longer exist"
    assert all(reason.strip() for reason in PENDING.values())


@pytest.mark.parametrize("name", [*FINISHED, PROJECT])
def test_catalog_translates_every_string_and_its_mo_is_compiled(name, tmp_path, monkeypatch):
    extracted = _extracted_keys(name, tmp_path, monkeypatch)
    po = _root(name) / PO
    if not extracted and not po.exists():
        return  # an app without translatable strings needs no catalog
    fix = (f"Fix: {_regenerate_command(name)}  (create locale/en/LC_MESSAGES there first if missing), "
           "write English for every empty msgstr, remove the fuzzy flags once checked, "
           f"then `dangjian compilemessages -l en` in the same folder and commit {po.parent.relative_to(REPO)}/")
    assert po.exists(), f"{name}: {len(extracted)} strings but no {po.relative_to(REPO)}. {fix}"
    committed = _committed(name, tmp_path)
    missing = sorted(_show(k) for k in extracted if not committed.get(k))
    assert missing == [], (f"{name}: {len(missing)} strings without English (missing, empty or fuzzy):\n  "
                           + "\n  ".join(missing[:40]) + f"\n{fix}")
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{name}: {mo.relative_to(REPO)} missing. {fix}"
    with mo.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog  # type: ignore[attr-defined]
    stale = sorted(_show(k) for k in set(committed) | set(compiled) if committed.get(k) != compiled.get(k))
    assert stale == [], (f"{name}: the committed .mo differs from the .po ({len(stale)} entries, e.g. "
                         f"{stale[:5]}). Run `dangjian compilemessages -l en` in src/dangjian/"
                         f"{'' if name == PROJECT else name} and commit the .mo.")
    broken = sorted(_show(k) for k, v in committed.items() if isinstance(k, str) and k
                    and sorted(PLACEHOLDER.findall(k.split("\x04")[-1])) != sorted(PLACEHOLDER.findall(v)))
    assert broken == [], f"{name}: placeholders differ between Chinese and English: {broken}"


def test_one_english_per_chinese_string_across_catalogs(tmp_path):
    english: dict = defaultdict(lambda: defaultdict(list))
    for name in (*FINISHED, PROJECT):
        work = tmp_path / name
        work.mkdir()
        for key, text in _committed(name, work).items():
            if key:
                english[key][text].append(name)
    conflicts = {_show(k): dict(v) for k, v in english.items() if len(v) > 1}
    assert conflicts == {}, (
        "the same Chinese string has different English in different catalogs; only one survives the "
        "run-time merge. Pick one wording for every catalog (or give the call a context with pgettext / "
        f"{{% trans ... context ... %}} when the meanings really differ): {conflicts}")


# -- the catalogs really reach users ------------------------------------------------------------------


@pytest.mark.django_db
def test_domain_errors_of_services_come_out_in_english(tree):
    from dangjian.core.errors import DomainError
    from dangjian.members.services import member_create
    from tests.fixtures import make_id_number

    birth = dt.date(1990, 1, 1)
    good = make_id_number(birth, 123, gender="M")
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    fields = {"name": "张三", "gender": "M", "birth_date": birth, "phone": "13800000001", "category": "full",
              "joined_on": dt.date(2015, 7, 1), "full_member_on": dt.date(2016, 7, 1), "org": tree["A1"]}
    with translation.override("en"), pytest.raises(DomainError) as bad_id:
        member_create(actor=None, id_number=bad_check, **fields)
    with translation.override("en"), pytest.raises(DomainError) as mismatch:
        member_create(actor=None, id_number=good, **{**fields, "birth_date": dt.date(1990, 1, 2)})
    with pytest.raises(DomainError) as chinese:
        member_create(actor=None, id_number=bad_check, **fields)

    assert [(e.field, e.message) for e in bad_id.value.errors] == [
        ("id_number", "The check digit of the ID number is wrong.")]
    assert [(e.field, e.message) for e in mismatch.value.errors] == [
        ("birth_date", "The date of birth does not match the ID number (the ID says 1990-01-01).")]
    assert [e.message for e in chinese.value.errors] == ["身份证号码校验位错误"]


@pytest.mark.django_db
def test_api_answers_a_birth_date_mismatch_in_english_when_asked(tree, user_factory, api_client):
    from dangjian.members.models import Member
    from tests.fixtures import make_id_number

    worker = user_factory("worker", "party_worker", tree["A1"], scope="org")
    body = {"name": "张三", "gender": "M", "birth_date": "1990-01-02", "org": "A1",
            "id_number": make_id_number(dt.date(1990, 1, 1), 123, gender="M"),
            "joined_on": "2015-07-01", "full_member_on": "2016-07-01", "status": "normal"}

    english = api_client(worker, lang="en").post("/members", body)
    chinese = api_client(worker).post("/members", body)

    assert english.status_code == chinese.status_code == 422, english.content
    assert english.json()["errors"] == [{
        "code": "members.birth_date_mismatch", "field": "birth_date",
        "message": "The date of birth does not match the ID number (the ID says 1990-01-01)."}]
    assert chinese.json()["errors"][0]["message"] == "出生日期与身份证号码不符（身份证为 1990-01-01）"
    assert Member.objects.count() == 0


CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


@pytest.mark.django_db
def test_the_language_cookie_turns_the_navigation_english(client, tree, user_factory):
    from dangjian.api.tests.fixtures import login_session

    login_session(client, user_factory("dept", "org_dept", tree["G"]))
    client.cookies["django_language"] = "en"

    html = client.get("/").content.decode()

    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    nav = re.sub(r'<button[^>]*lang="zh-hans"[^>]*>中文</button>', "", nav)  # the switch back names itself
    text = re.sub(r"<[^>]+>", " ", nav)
    assert CJK.findall(text) == [], f"untranslated navigation text: {' '.join(text.split())}"
    for label in ("Smart Party Building", "Organizations", "Members", "Member development", "Party dues",
                  "Sign out"):
        assert label in text
    assert '<html lang="en">' in html
