#!/usr/bin/env python3
"""dangjian's own lint rules (STYLE §13): project conventions ruff cannot express.

Each rule has a pattern, where it applies, and good/bad example lines that the test suite checks.
Run: `python scripts/lint_rules.py` (exit 1 and one line per finding when a rule is broken).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "dangjian"


@dataclass(frozen=True)
class Rule:
    code: str
    message: str
    pattern: re.Pattern
    applies: re.Pattern  # path (relative to src/dangjian) regex
    skip: re.Pattern = re.compile(r"(^|/)(tests|migrations)/")
    good: tuple[str, ...] = field(default=())
    bad: tuple[str, ...] = field(default=())


RULES = (
    Rule(
        "DJ-SCOPE",
        "views and API handlers read through scoped selectors, never Model.objects.* (STYLE §3)",
        re.compile(r"\.objects\.(filter|get|all|exclude|create|update|delete)\("),
        re.compile(r"(^web/|^api/|/api\.py$|/views\.py$)"),
        good=("members = member_list(actor=request.user)",),
        bad=("members = Member.objects.filter(org=org)", "Org.objects.get(pk=1)"),
    ),
    Rule(
        "DJ-SAVE",
        "save() without update_fields belongs in services only (STYLE §2)",
        re.compile(r"\.save\(\s*\)"),
        re.compile(r"\.py$"),
        skip=re.compile(r"(^|/)(tests|migrations|demo)/|services\.py$|/services/"),
        good=("org.save(update_fields=['name'])",),
        bad=("org.save()",),
    ),
    Rule(
        "DJ-I18N-FSTRING",
        "no f-strings inside gettext calls: use %(name)s placeholders (STYLE §13)",
        re.compile(r"\b(_|gettext|gettext_lazy|ngettext)\(\s*f[\"']"),
        re.compile(r"\.py$"),
        good=('_("组织“%(name)s”") % {"name": n}',),
        bad=('_(f"组织{n}")', 'gettext(f"x{y}")'),
    ),
    Rule(
        "DJ-LAYER",
        "domain apps never import the web or api layer (DESIGN layering)",
        re.compile(r"^\s*(from|import)\s+dangjian\.(web|api)(\.|\s|$)"),
        re.compile(r"^(?!web/|api/|urls\.py|settings)"),
        good=("from dangjian.orgs.selectors import org_list",),
        bad=("from dangjian.web.views import home", "import dangjian.api.urls"),
    ),
    Rule(
        "DJ-CORE",
        "core is the bottom layer: it imports no other dangjian app; apps declare into it (STYLE §16)",
        re.compile(r"^\s*(from|import)\s+dangjian\.(?!core(\.|\s|$))\w+"),
        re.compile(r"^core/"),
        good=("from dangjian.core.declarations import registry", "from django.apps import apps"),
        bad=("from dangjian.accounts.choices import ROLES", "    import dangjian.orgs.models"),
    ),
    Rule(
        "DJ-SIGNAL",
        "no post_save receivers for business logic: services publish domain events (STYLE §8)",
        re.compile(r"post_save"),
        re.compile(r"\.py$"),
        good=("events.publish('members.changed', member_ids=[m.pk])",),
        bad=("@receiver(post_save, sender=Member)", "post_save.connect(handler)"),
    ),
    Rule(
        "DJ-NAIVE-TIME",
        "no naive datetimes: use django.utils.timezone (STYLE §13)",
        re.compile(r"\b(datetime\.now\(\s*\)|datetime\.utcnow\(|date\.today\(\))"),
        re.compile(r"\.py$"),
        good=("now = timezone.now()",),
        bad=("now = datetime.now()", "today = dt.date.today()"),
    ),
)


def check_examples() -> list[str]:
    problems = []
    for rule in RULES:
        problems += [f"{rule.code}: good line flagged: {g}" for g in rule.good if rule.pattern.search(g)]
        problems += [f"{rule.code}: bad line missed: {b}" for b in rule.bad if not rule.pattern.search(b)]
    return problems


def scan(root: Path = SRC) -> list[str]:
    findings = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8").splitlines()
        for rule in RULES:
            if not rule.applies.search(rel) or rule.skip.search(rel):
                continue
            for number, line in enumerate(text, start=1):
                if "# lint: allow" in line:
                    continue
                if rule.pattern.search(line):
                    findings.append(f"src/dangjian/{rel}:{number}: {rule.code} {rule.message}")
    return findings


def main() -> int:
    problems = check_examples() + scan()
    for problem in problems:
        print(problem)  # noqa: T201
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
