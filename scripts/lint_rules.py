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
SCANNED = {".py", ".html", ".js"}
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
        re.compile(r"(^web/|^api/|/api\.py$|/views\.py$|/(api|views)/[^/]+\.py$)"),  # modules and packages
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
        re.compile(r"^(?!web/|api/|urls\.py|settings).*\.py$"),
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
    # The Content-Security-Policy (dangjian.core.security) runs no inline code: behaviour lives in static
    # files (core/static/core/behaviours.js), page data in json_script blocks (issue 7).
    Rule(
        "DJ-CSP-SCRIPT",
        "no inline <script> in templates: put code in a static file, data in a json_script block (CSP)",
        re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))"),
        re.compile(r"\.html$"),
        good=('<script src="{% static \'core/charts.js\' %}"></script>', "{{ rows|json_script:\"rows-data\" }}"),
        bad=("<script>", '<script type="text/javascript">'),
    ),
    Rule(
        "DJ-CSP-HANDLER",
        "no on*= handlers or js: htmx values in templates: use data- attributes and core/behaviours.js (CSP)",
        re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=|hx-vals='js:"),
        re.compile(r"\.html$"),
        good=('<select data-submit-on-change name="root">', '<div data-param-q="#id_org_code">'),
        bad=('<select onchange="this.form.submit()">', "<div hx-vals='js:{q: 1}'>", '<a hx-on:click="x()">'),
    ),
    Rule(
        "DJ-CSP-STYLE",
        "no style= attributes in templates: use a class (app.css) or set it from a data- attribute (CSP)",
        re.compile(r"\sstyle\s*="),
        re.compile(r"\.html$"),
        good=('<div class="chart-heatmap" data-chart-height="300">',),
        bad=('<div style="width: 5rem">',),
    ),
    Rule(
        "DJ-CHART",
        "charts start through core/static/core/charts.js (DangjianCharts): it keeps chart data out of HTML",
        re.compile(r"\becharts\.init\("),
        re.compile(r"\.(js|html)$"),
        skip=re.compile(r"(^|/)tests/|^core/static/core/charts\.js$"),
        good=("var handle = DangjianCharts.init(el, { renderer: 'svg' });",),
        bad=("var chart = echarts.init(el, null, {renderer: 'svg'});",),
    ),
    Rule(
        "DJ-HTML-SINK",
        "no HTML sinks in our scripts: build DOM nodes and set textContent",
        re.compile(r"\.(innerHTML|outerHTML)\s*\+?=(?!=)|insertAdjacentHTML\(|document\.write(ln)?\("),
        re.compile(r"\.js$"),
        good=("selected.replaceChildren(part('span', 'fw-semibold', node.fullName));", "el.textContent = name;"),
        bad=("selected.innerHTML = '<b>' + name;", "el.insertAdjacentHTML('beforeend', html);"),
    ),
    Rule(
        "DJ-SPREADSHEET",
        "every xlsx/CSV is written by dangjian.core.spreadsheet, the one formula-safe writer (issue 7)",
        re.compile(r"\bWorkbook\(|\bcsv\.(writer|DictWriter)\("),
        re.compile(r"\.py$"),
        skip=re.compile(r"(^|/)(tests|migrations)/|^core/spreadsheet\.py$"),
        good=("writer = TableWriter(out, XLSX, header)", "book = load_workbook(data, read_only=True)"),
        bad=("book = Workbook(write_only=True)", "writer = csv.writer(out)"),
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
    for path in sorted(p for p in root.rglob("*") if p.suffix in SCANNED and p.is_file()):
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


# --- DJ-LEVELS: imports and URL names point down the layers only (DESIGN "Layers"; issue 8) -------------
# Every app has a level; a module (HTTP modules included) or template of an app may use only apps of
# its own level or below. Capabilities share one level and talk through services, selectors and events.
# A new app must be added here: an app without a level is itself a finding.
LEVELS = {
    "core": 0, "ui": 0,
    "audit": 1,
    "orgs": 2,
    "accounts": 3,
    "members": 4,
    **dict.fromkeys(("development", "dues", "transfers", "meetings", "health", "exchange", "integration",
                     "learning", "knowledge", "insights", "workflow", "talent", "metrics"), 5),
    "demo": 8,
    "web": 9, "api": 9,
}
TOP_MODULES = {"urls", "settings", "settings_test", "cli", "wsgi", "asgi", "__init__", "locale", "templates"}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+dangjian\.(\w+)")
_URL_NAME = re.compile(r"""\{%\s*url\s+["'](\w+):""")


def _app_of(rel: str) -> str | None:
    first = rel.split("/", 1)[0].removesuffix(".py")
    return None if first in TOP_MODULES else first


def scan_levels(root: Path = SRC) -> list[str]:
    findings = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".py", ".html"} and p.is_file()):
        rel = path.relative_to(root).as_posix()
        app = _app_of(rel)
        if app is None or re.search(r"(^|/)(tests|migrations)/", rel):
            continue
        if app not in LEVELS:
            findings.append(f"src/dangjian/{rel}:1: DJ-LEVELS app '{app}' has no level: add it to LEVELS")
            continue
        pattern = _IMPORT if path.suffix == ".py" else _URL_NAME
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for target in pattern.findall(line):
                if target == app or target in TOP_MODULES or "# lint: allow" in line:
                    continue
                if LEVELS.get(target, 0) > LEVELS[app]:
                    findings.append(f"src/dangjian/{rel}:{number}: DJ-LEVELS {app} (level {LEVELS[app]}) uses "
                                    f"{target} (level {LEVELS[target]}): register a panel, an event or a "
                                    "declaration in the higher app instead")
    return findings


def main() -> int:
    problems = check_examples() + scan() + scan_levels()
    for problem in problems:
        print(problem)  # noqa: T201
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
